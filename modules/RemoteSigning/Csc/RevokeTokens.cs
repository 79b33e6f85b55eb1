using Marten;
using MySign.Accounts.Contracts;

namespace MySign.RemoteSigning.Csc;

/// <summary>A password change or reset ends the holder's API access: every bearer token (Certificates ends the unspent SADs).</summary>
public static class CscTokensOnCredentialsChangedHandler
{
    public static void Handle(HolderCredentialsChanged changed, IDocumentSession session) => session.DeleteWhere<CscToken>(t => t.HolderId == changed.HolderId);
}
