using MySign.Kernel.Mail;

namespace MySign.Tests.Foundation;

/// <summary>The HTML part made from a mail's text: a link ends where its address ends, whatever punctuation follows it.</summary>
public sealed class MailTextTests
{
    [Theory]
    [InlineData("Open https://mysign.example/new-pin?token=abc. Then choose.", "https://mysign.example/new-pin?token=abc")]
    [InlineData("Open (https://mysign.example/x?a=1&b=2), then", "https://mysign.example/x?a=1&amp;b=2")]
    [InlineData("Here:\nhttps://mysign.example/otp-reset?token=a-b_c\n\nBye", "https://mysign.example/otp-reset?token=a-b_c")]
    public void a_link_in_the_html_part_ends_where_its_address_ends(string text, string href) =>
        MailText.ToHtml(text).ShouldContain($"<a href=\"{href}\">");
}
