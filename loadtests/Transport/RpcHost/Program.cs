using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// grpc.health.v1.Health on the AstralytiQ runtime, as the product server registers it.
// Usage: AstralytiQ.Transport.RpcHost [--port=PORT]; prints "LISTENING <port>" when ready.
var port = args.FirstOrDefault(a => a.StartsWith("--port=", StringComparison.Ordinal)) is { } p
    ? int.Parse(p["--port=".Length..], CultureInfo.InvariantCulture)
    : 0;

var builder = WebApplication.CreateBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2);
    // The limits src/Server sets (Infrastructure/Configuration/KestrelSetup.cs), in both hosts alike.
    kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
    kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
    kestrel.AddServerHeader = false;
});
builder.Services.AddGrpc();

var app = builder.Build();
app.MapGrpcHealthService();
await app.StartAsync();

var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"LISTENING {new Uri(address).Port}");
await app.WaitForShutdownAsync();
