# syntax=docker/dockerfile:1
# MySign portal: build with the .NET SDK, run as a non-root user on the ASP.NET runtime image.
# The app reads DATABASE_URL (postgres://user:pass@host:5432/db) and listens on $PORT (8080).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# python3 packs the NuGet shims (build/nuget-shim) into the local feed restore needs.
RUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*
COPY nuget.config Directory.Build.props Directory.Packages.props MySign.sln ./
COPY build/nuget-shim/ build/nuget-shim/
COPY src/ src/
COPY modules/ modules/
RUN build/nuget-shim/make-shim.sh \
 && dotnet restore src/MySign.Web/MySign.Web.csproj \
 && dotnet publish src/MySign.Web/MySign.Web.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_ENVIRONMENT=Production \
    PORT=8080 \
    ASPNETCORE_URLS=http://0.0.0.0:8080 \
    DOTNET_gcServer=1 \
    DOTNET_GCgen0size=0x4000000
# A 64 MiB gen0 budget per GC heap: a busy node collects every few thousand requests instead of every
# hundred (about 350 MiB resident under load, in fly.toml's 1 GB machines).
EXPOSE 8080
# The aspnet image ships an unprivileged "app" user (uid 1654).
USER app
ENTRYPOINT ["dotnet", "MySign.Web.dll"]
