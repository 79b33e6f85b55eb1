using MySign.Kernel.Documents;

namespace MySign.Kernel.Validation;

/// <summary>
/// Rules for free text a person types that ends up on a document (names, places, addresses, billing details):
/// no invisible bidirectional controls (they reorder what a reader sees: "Rossi" can be made to look like anything),
/// and only scripts the documents can print, so the Registration Request and the invoice show what was typed.
/// </summary>
public static class TypedText
{
    /// <summary>The error key for <paramref name="value"/>, or null when it may be kept.</summary>
    public static string? Problem(string value) =>
        value.Any(IsBidiControl) ? "text.error.bidi"
        : !SimplePdf.CanPrint(value) ? "text.error.script"
        : null;

    /// <summary>U+202A–U+202E (embeddings, overrides) and U+2066–U+2069 (isolates); also the marks U+200E, U+200F, U+061C.</summary>
    public static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' or '\u200E' or '\u200F' or '\u061C';

    /// <summary>Adds the first problem of each field that has none yet.</summary>
    public static void Check(IDictionary<string, string> errors, IEnumerable<(string Field, string Value)> fields)
    {
        foreach (var (field, value) in fields)
            if (!errors.ContainsKey(field) && Problem(value) is { } problem) errors[field] = problem;
    }
}
