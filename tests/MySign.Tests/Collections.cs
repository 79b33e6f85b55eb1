namespace MySign.Tests;

/// <summary>One in-memory host over one fresh database for all HTTP-level tests (they create their own data).</summary>
[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}

/// <summary>The app as its own process on a random port, driven by Debian's Chromium.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
