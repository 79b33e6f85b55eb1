using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Assistant.Trusty;

namespace MySign.Assistant;

/// <summary>
/// Trusty, the assistant in every page's header: its knowledge base (the FAQ shipped with the app, one full-text
/// index per language) and the questions asked, in its own schema. It answers from its own data only.
/// </summary>
public static class AssistantModule
{
    public const string Schema = "assistant";

    public static IServiceCollection AddAssistant(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<FaqEntry>().DatabaseSchemaName(Schema)
                .FullTextIndex(index => { index.Name = "faq_search_en"; index.RegConfig = "english"; }, f => f.SearchText)
                .FullTextIndex(index => { index.Name = "faq_search_it"; index.RegConfig = "italian"; }, f => f.SearchText);
            options.Schema.For<TrustyQuestion>().DatabaseSchemaName(Schema);
        });
        services.AddHostedService<FaqLoader>();
        return services;
    }
}
