using Marten;
using MySign.Accounts.Contracts;
using MySign.Accounts.Domain;

namespace MySign.Accounts.Account;

public static class GetHolderBillingDetailsHandler
{
    public static async Task<HolderBillingDetails> Handle(GetHolderBillingDetails request, IQuerySession session, CancellationToken cancellation)
    {
        var holder = await session.LoadAsync<HolderAccount>(request.HolderId, cancellation);
        if (holder is null) return new HolderBillingDetails("", "", "");
        var place = string.Join(" ", new[] { holder.PostCode, holder.City }.Where(p => p.Length > 0));
        var address = string.Join(", ", new[] { holder.Address, place + (holder.Province.Length > 0 ? $" ({holder.Province})" : "") }.Where(p => p.Trim().Length > 0));
        return new HolderBillingDetails(holder.DisplayName.Trim(), holder.FiscalCode, address);
    }
}
