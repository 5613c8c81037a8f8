using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AstralytiQ.Rpc.Tests.Proto;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;

namespace AstralytiQ.Rpc.Tests;

public sealed class TlsTests(TlsTests.TlsServerFixture fixture) : IClassFixture<TlsTests.TlsServerFixture>
{
    private GrpcChannel TrustingChannel() => GrpcChannel.ForAddress(fixture.Server.Address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == fixture.Certificate.GetCertHashString() },
        },
        DisposeHttpHandler = true,
    });

    [Fact]
    public async Task Calls_of_every_kind_work_over_TLS_with_a_handler_that_trusts_the_certificate()
    {
        using var channel = TrustingChannel();
        var client = new TestService.TestServiceClient(channel);

        var unary = await client.UnaryAsync(new EchoRequest { Message = "secure", ResponseSize = 100_000 });
        using var duplex = client.Duplex();
        await duplex.RequestStream.WriteAsync(new EchoRequest { Message = "ping" });
        Assert.True(await duplex.ResponseStream.MoveNext());
        await duplex.RequestStream.CompleteAsync();
        using var stream = client.ServerStream(new EchoRequest { StreamCount = 3 });

        Assert.Equal("secure", unary.Message);
        Assert.Equal("https", unary.Scheme);
        Assert.Equal("HTTP/2", unary.Protocol);
        Assert.Equal("ping", duplex.ResponseStream.Current.Message);
        Assert.False(await duplex.ResponseStream.MoveNext());
        Assert.Equal(3, await stream.ResponseStream.ReadAllAsync().CountAsync());
    }

    [Fact]
    public async Task Server_negotiates_h2_by_ALPN()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, fixture.Server.Address.Port);
        await using var tls = new SslStream(tcp.GetStream());

        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11, SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });

        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
    }

    [Fact]
    public async Task Untrusted_certificate_fails_the_call_with_UNAVAILABLE()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() => new TestService.TestServiceClient(channel).UnaryAsync(new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    /// <summary>An HTTPS (HTTP/2 only) server with a self-signed certificate made for the test run.</summary>
    public sealed class TlsServerFixture : IAsyncLifetime
    {
        private TestServer? _server;

        public X509Certificate2 Certificate { get; } = CreateCertificate();

        public TestServer Server => _server!;

        public async Task InitializeAsync() =>
            _server = await TestServer.StartAsync(configureListen: listen => listen.UseHttps(Certificate), scheme: "https");

        public async Task DisposeAsync()
        {
            await _server!.DisposeAsync();
            Certificate.Dispose();
        }

        private static X509Certificate2 CreateCertificate()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: false));
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}
