using System.Net.Mail;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using MySign.Accounts.Domain;
using MySign.Kernel.Localization;
using MySign.Kernel.Validation;

namespace MySign.Accounts.Registration;

public sealed record FieldOption(string Value, string Label, bool Selected);

/// <summary>One input of a form as the template draws it: what was typed, and the message for it if any.</summary>
public sealed record FormField(string Name, string Label, string Type, string Value, string? Error, string? Autocomplete = null,
    int MaxLength = 120, IReadOnlyList<FieldOption>? Options = null, string? Hint = null);

public sealed record FormSection(string Legend, IReadOnlyList<FormField> Fields);

/// <summary>
/// The RAO's registration form: every field as typed (kept when something is wrong), the checks a person
/// would expect, and the holder it describes once all pass.
/// </summary>
public sealed partial class RegistrationForm
{
    public static readonly string[] DocumentTypes = ["identity_card", "passport", "driving_licence"];
    public static readonly int AdultAge = 18;

    private readonly Dictionary<string, string> _values;
    public Dictionary<string, string> Errors { get; } = new();

    private RegistrationForm(Dictionary<string, string> values) => _values = values;

    public static readonly string[] FieldNames =
    [
        "first_name", "last_name", "sex", "birth_date", "birth_place", "fiscal_code",
        "doc_type", "doc_number", "doc_issuer", "doc_expiry", "email", "mobile",
        "address", "post_code", "city", "province", "country", "language",
    ];

    /// <summary>A new form: Italy, and the holder's mails in the language of the page the operator works in until they choose.</summary>
    public static RegistrationForm Empty() => new(FieldNames.ToDictionary(n => n, n => n switch { "country" => "IT", "language" => Strings.Language, _ => "" }));

    public static RegistrationForm Read(IFormCollection form) => new(FieldNames.ToDictionary(n => n, n => Typed(form, n)));

    private static string Typed(IFormCollection form, string name)
    {
        var typed = Clip(form[name].ToString().Trim());
        return typed.Length == 0 && name == "language" ? Strings.Language : typed;
    }

    private static string Clip(string value) => value.Length > 200 ? value[..200] : value;

    public string this[string name] => _values[name];

    [GeneratedRegex(@"^[\p{L}][\p{L} '’.-]{0,59}$")] private static partial Regex PersonName();
    [GeneratedRegex(@"^[A-Za-z0-9]{5,20}$")] private static partial Regex DocumentNumber();

    /// <summary>Checks everything; true when the holder may be registered.</summary>
    public bool Validate(DateOnly today)
    {
        Require("first_name", PersonName().IsMatch(this["first_name"]), "registration.error.name");
        Require("last_name", PersonName().IsMatch(this["last_name"]), "registration.error.surname");
        Require("sex", this["sex"] is "M" or "F", "registration.error.sex");
        Require("language", Strings.Languages.Contains(this["language"]), "registration.error.language");
        var birth = ParseDate(this["birth_date"]);
        if (birth is null) Errors["birth_date"] = "registration.error.date";
        else if (birth.Value.AddYears(AdultAge) > today) Errors["birth_date"] = "registration.error.minor";
        else if (birth.Value.AddYears(120) < today) Errors["birth_date"] = "registration.error.date";
        Require("birth_place", this["birth_place"].Length is >= 2 and <= 80, "registration.error.birth_place");

        var code = FiscalCode.Normalise(this["fiscal_code"]);
        _values["fiscal_code"] = code;
        if (FiscalCode.FormatProblem(code) is { } format) Errors["fiscal_code"] = format;
        // Compared only with details that were accepted: a mistyped birth date is one message, next to the date.
        else if (!Errors.ContainsKey("first_name") && !Errors.ContainsKey("last_name") && birth is not null && !Errors.ContainsKey("birth_date") && !Errors.ContainsKey("sex")
                 && FiscalCode.ConsistencyProblem(code, this["last_name"], this["first_name"], birth.Value, this["sex"]) is { } mismatch)
            Errors["fiscal_code"] = mismatch;

        Require("doc_type", DocumentTypes.Contains(this["doc_type"]), "registration.error.doc_type");
        Require("doc_number", DocumentNumber().IsMatch(this["doc_number"]), "registration.error.doc_number");
        Require("doc_issuer", this["doc_issuer"].Length is >= 2 and <= 100, "registration.error.doc_issuer");
        var expiry = ParseDate(this["doc_expiry"]);
        if (expiry is null) Errors["doc_expiry"] = "registration.error.date";
        else if (expiry.Value <= today) Errors["doc_expiry"] = "registration.error.doc_expired";

        Require("email", IsEmail(this["email"]), "registration.error.email");
        var mobile = MobileNumbers.Normalise(this["mobile"]);
        Require("mobile", mobile is not null, "registration.error.mobile");

        _values["province"] = this["province"].ToUpperInvariant();
        _values["country"] = this["country"].ToUpperInvariant();
        foreach (var (field, key) in Account.AccountRules.PersonalProblems(Address())) Errors[field] = key;
        // Everything here is printed on the Registration Request: no bidi controls, no script it cannot print.
        TypedText.Check(Errors, new[] { "first_name", "last_name", "birth_place", "doc_issuer", "doc_number", "email" }.Select(f => (f, this[f])));
        return Errors.Count == 0;
    }

    /// <summary>The holder these details describe (call after <see cref="Validate"/> returned true).</summary>
    public HolderAccount ToHolder(string userId, string iut, string office, string operatorId, DateTimeOffset now)
    {
        var holder = Address();
        holder.Id = userId;
        holder.FirstName = this["first_name"];
        holder.LastName = this["last_name"];
        holder.Sex = this["sex"];
        holder.BirthDate = ParseDate(this["birth_date"]);
        holder.BirthPlace = this["birth_place"];
        holder.FiscalCode = this["fiscal_code"];
        holder.Document = new IdentityDocument(this["doc_type"], this["doc_number"].ToUpperInvariant(), this["doc_issuer"], ParseDate(this["doc_expiry"])!.Value);
        holder.Email = this["email"];
        holder.RecoveryMobile = MobileNumbers.Normalise(this["mobile"])!;
        holder.Iut = iut;
        holder.Office = office;
        holder.RegisteredBy = operatorId;
        holder.RegisteredAt = now;
        holder.Language = this["language"];
        return holder;
    }

    private HolderAccount Address() => new()
    {
        Address = this["address"], PostCode = this["post_code"], City = this["city"], Province = this["province"], Country = this["country"],
    };

    private void Require(string field, bool ok, string key)
    {
        if (!ok) Errors[field] = key;
    }

    /// <summary>
    /// A date typed as both languages write it (dd/mm/yyyy, the field's format, as the desk types it too) or ISO, in the years
    /// people can mean (1900–2200): anything else is refused like a malformed date, never computed with.
    /// </summary>
    public static DateOnly? ParseDate(string typed) => TypedDate.Parse(typed);

    private static bool IsEmail(string typed)
    {
        if (typed.Length is < 6 or > 254 || typed.Any(char.IsWhiteSpace)) return false;
        if (!MailAddress.TryCreate(typed, out var address) || address.Address != typed) return false;
        var domain = address.Host;
        return domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.');
    }

    /// <summary>The form as the template draws it, in four groups.</summary>
    public IReadOnlyList<FormSection> Sections() =>
    [
        new("registration.section.person",
        [
            Field("first_name", "text", "given-name", 60), Field("last_name", "text", "family-name", 60),
            Field("sex", "radio", options: [Option("sex", "M"), Option("sex", "F")]),
            Field("birth_date", "datetext", "bday", 10), Field("birth_place", "text", null, 80),
            Field("fiscal_code", "text", "off", 16, hint: "registration.hint.fiscal_code"),
        ]),
        new("registration.section.document",
        [
            Field("doc_type", "select", options: DocumentTypes.Select(t => Option("doc_type", t)).ToList()),
            Field("doc_number", "text", "off", 20), Field("doc_issuer", "text", null, 100), Field("doc_expiry", "datetext", null, 10),
        ]),
        new("registration.section.contacts",
        [
            Field("email", "email", "email", 254), Field("mobile", "tel", "tel", 20, hint: "registration.hint.mobile"),
            Field("language", "radio", options: Strings.Languages.Select(l => Option("language", l)).ToList()),
        ]),
        new("registration.section.address",
        [
            Field("address", "text", "street-address", 120), Field("post_code", "text", "postal-code", 10),
            Field("city", "text", "address-level2", 60), Field("province", "text", "address-level1", 20),
            Field("country", "text", "country", 2, hint: "registration.hint.country"),
        ]),
    ];

    private FormField Field(string name, string type, string? autocomplete = null, int maxLength = 120, IReadOnlyList<FieldOption>? options = null, string? hint = null) =>
        new(name, "registration." + name, type, this[name], Errors.GetValueOrDefault(name), autocomplete, maxLength, options, hint);

    private FieldOption Option(string field, string value) => new(value, $"registration.{field}.{value.ToLowerInvariant()}", this[field] == value);
}
