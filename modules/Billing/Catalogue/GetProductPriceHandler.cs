using Marten;
using MySign.Billing.Contracts;
using MySign.Billing.Domain;

namespace MySign.Billing.Catalogue;

public static class GetProductPriceHandler
{
    public static async Task<ProductPrice?> Handle(GetProductPrice query, IQuerySession session)
    {
        var product = await session.LoadAsync<Product>(query.Sku);
        return product is null ? null : new ProductPrice(product.Id, product.Name, product.NetPrice, product.VatRate, product.Vat, product.Gross);
    }
}
