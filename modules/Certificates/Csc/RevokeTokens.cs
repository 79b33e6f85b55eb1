using Marten;
using MySign.Accounts.Contracts;

namespace MySign.Certificates.Csc;

/// <summary>A password change or reset ends the holder's API access: every bearer token and every unspent SAD.</summary>
public static class HolderCredentialsChangedHandler
{
    public static void Handle(HolderCredentialsChanged changed, IDocumentSession session)
    {
        session.DeleteWhere<CscToken>(t => t.HolderId == changed.HolderId);
        session.DeleteWhere<CscAuthorization>(a => a.HolderId == changed.HolderId);
    }
}
