using Marten;
using Microsoft.Extensions.DependencyInjection;
using MySign.Kernel.Web;
using MySign.Renewal.Domain;
using MySign.Renewal.Portal;

namespace MySign.Renewal;

public static class RenewalModule
{
    public const string Schema = "renewal";

    /// <summary>This module's recurring work (registered by the host on Wolverine's options): the reminder sweep, once per cluster.</summary>
    public static void AddRenewalSchedules(this Wolverine.WolverineOptions wolverine, Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        wolverine.Schedules.ScheduleRecurring<Reminders.SendReminders>(configuration["Renewal:ReminderCron"] ?? "15 * * * *");

    public static IServiceCollection AddRenewal(this IServiceCollection services)
    {
        services.ConfigureMarten(options =>
        {
            options.Schema.For<RenewableCertificate>().DatabaseSchemaName(Schema).Index(c => c.ExpiresAt);
            options.Schema.For<Reminders.ReminderSent>().DatabaseSchemaName(Schema);
            options.Schema.For<RenewalRequest>().DatabaseSchemaName(Schema).UseOptimisticConcurrency(true).Index(r => r.HolderId);
        });
        services.AddSingleton<IPortalBox, RenewBox>();
        return services;
    }
}
