using JasperFx.Events;
using Marten;
using Marten.Patching;
using MySign.Accounts.Domain;
using Wolverine.Marten;

namespace MySign.Accounts.Account;

/// <summary>
/// One form's change to the holder's account, as Wolverine's side effect: only the fields the form owns are written
/// (Marten's patch), so a concurrent change to another field is never overwritten with what this request read.
/// </summary>
internal sealed class PatchAccount(string holderId, Func<IPatchExpression<HolderAccount>, IPatchExpression<HolderAccount>> set) : IMartenOp
{
    public void Execute(IDocumentSession session) => set(session.Patch<HolderAccount>(holderId));
}
