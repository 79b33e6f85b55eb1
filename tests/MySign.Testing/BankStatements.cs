using System.Text;

namespace MySign.Testing;

/// <summary>The bank integration as it talks to the portal: a camt.053 statement of booked credits, posted with its bearer token.</summary>
public static class BankStatements
{
    public static string Camt053(params (string EntryRef, string Amount, string Remittance)[] credits) => Camt053In("EUR", credits);

    /// <summary>A statement of credits in <paramref name="currency"/>, with the bank's own fee (a debit, never a payment) after them.</summary>
    public static string Camt053In(string currency, params (string EntryRef, string Amount, string Remittance)[] credits) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
          <BkToCstmrStmt>
            <GrpHdr><MsgId>STMT-{Guid.NewGuid():N}</MsgId><CreDtTm>2026-11-23T08:00:00</CreDtTm></GrpHdr>
            <Stmt>
              <Id>1</Id><Acct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></Acct>
              {string.Concat(credits.Select(c => $"""
              <Ntry>
                <Amt Ccy="{currency}">{c.Amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
                <BookgDt><Dt>2026-11-23</Dt></BookgDt><AcctSvcrRef>{c.EntryRef}</AcctSvcrRef>
                <NtryDtls><TxDtls><RmtInf><Ustrd>{c.Remittance}</Ustrd></RmtInf></TxDtls></NtryDtls>
              </Ntry>
              """))}
              <Ntry><Amt Ccy="EUR">99.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><AcctSvcrRef>FEE-1</AcctSvcrRef></Ntry>
            </Stmt>
          </BkToCstmrStmt>
        </Document>
        """;

    /// <summary>POST /webhooks/bank/camt053 with the token, as the integration does.</summary>
    public static Task<HttpResponseMessage> ImportAsync(HttpClient http, string xml, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/bank/camt053") { Content = new StringContent(xml.Trim(), Encoding.UTF8, "application/xml") };
        request.Headers.Authorization = new("Bearer", token);
        return http.SendAsync(request);
    }
}
