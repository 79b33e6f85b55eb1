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
# Keys live in the TSP's HSM (README "Keys in an HSM"): a derived image copies the vendor's PKCS#11 module and its
# configuration under /opt/hsm and sets Hsm__Library to it. The runtime libraries those modules link against beyond
# what .NET already needs (glibc, libstdc++, OpenSSL 3): libcurl (CloudHSM, YubiHSM 2's HTTP connector), libusb (YubiHSM 2
# over USB); and OpenSC's pkcs11-tool, to look at the partition from the machine's console. SoftHSM2 is not installed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends opensc libusb-1.0-0 \
 && (apt-get install -y --no-install-recommends libcurl4t64 || apt-get install -y --no-install-recommends libcurl4) \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /opt/hsm
# The aspnet image ships an unprivileged "app" user (uid 1654).
USER app
ENTRYPOINT ["dotnet", "MySign.Web.dll"]
