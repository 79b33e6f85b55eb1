using System.Net;
using Scriban;
using Scriban.Parsing;

namespace MySign.Kernel.Rendering;

/// <summary>Markup that is already safe HTML: the only value the renderer writes unescaped.</summary>
public readonly record struct RawHtml(string Value)
{
    public static readonly RawHtml Empty = new(string.Empty);
    public override string ToString() => Value;
}

/// <summary>
/// A Scriban context that HTML-escapes every value a template writes ({{ x }}), unless it is
/// <see cref="RawHtml"/>. Scriban itself escapes nothing; this makes "escaped" the default.
/// One render at a time: contexts are not thread-safe (Templates keeps a spare one per thread).
/// </summary>
public sealed class HtmlTemplateContext(Scriban.Runtime.ScriptObject builtins) : TemplateContext(builtins)
{
    // Scriban caches member accessors per context; a context lives for one render, so every render
    // rebuilt them by reflection. Accessors depend only on the type (all our contexts share the same
    // renamer and filter), so one process-wide cache is safe.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Scriban.Runtime.IObjectAccessor> Accessors = new();

    protected override Scriban.Runtime.IObjectAccessor GetMemberAccessorImpl(object target)
    {
        var type = target.GetType();
        if (Accessors.TryGetValue(type, out var cached)) return cached;
        var accessor = base.GetMemberAccessorImpl(target);
        if (accessor is not null) Accessors.TryAdd(type, accessor);
        return accessor!;
    }

    public override TemplateContext Write(SourceSpan span, object? textAsObject)
    {
        if (textAsObject is RawHtml raw) return base.Write(span, raw.Value);
        if (textAsObject is null) return this;
        var text = textAsObject as string ?? ObjectToString(textAsObject);
        return base.Write(span, WebUtility.HtmlEncode(text));
    }
}
