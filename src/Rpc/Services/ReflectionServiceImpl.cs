using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server.Internal;
using Grpc.Core;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace Grpc.Reflection;

/// <summary>
/// Answers reflection questions (list services, file by name, file containing a symbol) from the
/// descriptors of the services mapped in this application. Files come with their transitive
/// dependencies so a client can build a complete descriptor pool from one answer.
/// </summary>
internal sealed class ReflectionIndex
{
    private readonly Lazy<Index> _index;

    public ReflectionIndex(GrpcServiceRegistry registry) => _index = new Lazy<Index>(() => Build(registry));

    public IReadOnlyList<string> ServiceNames => _index.Value.Services;

    public IReadOnlyList<ByteString>? FileByName(string name) =>
        _index.Value.FilesByName.TryGetValue(name, out var file) ? WithDependencies(file) : null;

    public IReadOnlyList<ByteString>? FileContainingSymbol(string symbol) =>
        _index.Value.FilesBySymbol.TryGetValue(symbol.TrimStart('.'), out var file) ? WithDependencies(file) : null;

    private static List<ByteString> WithDependencies(FileDescriptor root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ByteString>();
        var pending = new Stack<FileDescriptor>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var file = pending.Pop();
            if (!seen.Add(file.Name))
            {
                continue;
            }
            result.Add(file.SerializedData);
            foreach (var dependency in file.Dependencies)
            {
                pending.Push(dependency);
            }
        }
        return result;
    }

    private sealed record Index(IReadOnlyList<string> Services, Dictionary<string, FileDescriptor> FilesByName, Dictionary<string, FileDescriptor> FilesBySymbol);

    private static Index Build(GrpcServiceRegistry registry)
    {
        var services = new List<string>();
        var filesByName = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
        var filesBySymbol = new Dictionary<string, FileDescriptor>(StringComparer.Ordinal);
        foreach (var (name, type) in registry.Services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            services.Add(name);
            if (FindDescriptor(type) is { } descriptor)
            {
                AddFile(descriptor.File, filesByName, filesBySymbol);
            }
        }
        return new Index(services, filesByName, filesBySymbol);
    }

    private static void AddFile(FileDescriptor file, Dictionary<string, FileDescriptor> byName, Dictionary<string, FileDescriptor> bySymbol)
    {
        if (!byName.TryAdd(file.Name, file))
        {
            return;
        }
        foreach (var service in file.Services)
        {
            bySymbol.TryAdd(service.FullName, file);
            foreach (var method in service.Methods)
            {
                bySymbol.TryAdd(method.FullName, file);
            }
        }
        foreach (var message in file.MessageTypes)
        {
            AddMessage(message, file, bySymbol);
        }
        foreach (var enumType in file.EnumTypes)
        {
            bySymbol.TryAdd(enumType.FullName, file);
        }
        foreach (var dependency in file.Dependencies)
        {
            AddFile(dependency, byName, bySymbol);
        }
    }

    private static void AddMessage(MessageDescriptor message, FileDescriptor file, Dictionary<string, FileDescriptor> bySymbol)
    {
        bySymbol.TryAdd(message.FullName, file);
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            bySymbol.TryAdd(field.FullName, file);
        }
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file, bySymbol);
        }
        foreach (var enumType in message.EnumTypes)
        {
            bySymbol.TryAdd(enumType.FullName, file);
        }
    }

    /// <summary>Generated service bases are nested in a static class with a <c>Descriptor</c> property.</summary>
    private static ServiceDescriptor? FindDescriptor(Type serviceType)
    {
        for (var type = serviceType; type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is not null
                && type.DeclaringType?.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is ServiceDescriptor descriptor)
            {
                return descriptor;
            }
        }
        return null;
    }
}

/// <summary>The <c>grpc.reflection.v1.ServerReflection</c> service.</summary>
public sealed class ReflectionServiceImpl : V1.ServerReflection.ServerReflectionBase
{
    private readonly ReflectionIndex _index;

    internal ReflectionServiceImpl(ReflectionIndex index) => _index = index;

    /// <inheritdoc />
    public override async Task ServerReflectionInfo(IAsyncStreamReader<V1.ServerReflectionRequest> requestStream, IServerStreamWriter<V1.ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = requestStream.Current;
            var response = new V1.ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
            switch (request.MessageRequestCase)
            {
                case V1.ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                    response.ListServicesResponse = new V1.ListServiceResponse();
                    response.ListServicesResponse.Service.AddRange(_index.ServiceNames.Select(n => new V1.ServiceResponse { Name = n }));
                    break;
                case V1.ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                    SetFiles(response, _index.FileByName(request.FileByFilename), $"File '{request.FileByFilename}' not found.");
                    break;
                case V1.ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                    SetFiles(response, _index.FileContainingSymbol(request.FileContainingSymbol), $"Symbol '{request.FileContainingSymbol}' not found.");
                    break;
                default:
                    response.ErrorResponse = new V1.ErrorResponse { ErrorCode = (int)StatusCode.Unimplemented, ErrorMessage = $"Request '{request.MessageRequestCase}' is not supported." };
                    break;
            }
            await responseStream.WriteAsync(response).ConfigureAwait(false);
        }
    }

    private static void SetFiles(V1.ServerReflectionResponse response, IReadOnlyList<ByteString>? files, string notFound)
    {
        if (files is null)
        {
            response.ErrorResponse = new V1.ErrorResponse { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = notFound };
            return;
        }
        response.FileDescriptorResponse = new V1.FileDescriptorResponse();
        response.FileDescriptorResponse.FileDescriptorProto.AddRange(files);
    }
}

/// <summary>The older <c>grpc.reflection.v1alpha.ServerReflection</c> service, still used by many tools.</summary>
public sealed class ReflectionV1AlphaServiceImpl : V1Alpha.ServerReflection.ServerReflectionBase
{
    private readonly ReflectionIndex _index;

    internal ReflectionV1AlphaServiceImpl(ReflectionIndex index) => _index = index;

    /// <inheritdoc />
    public override async Task ServerReflectionInfo(IAsyncStreamReader<V1Alpha.ServerReflectionRequest> requestStream, IServerStreamWriter<V1Alpha.ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            var request = requestStream.Current;
            var response = new V1Alpha.ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
            switch (request.MessageRequestCase)
            {
                case V1Alpha.ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                    response.ListServicesResponse = new V1Alpha.ListServiceResponse();
                    response.ListServicesResponse.Service.AddRange(_index.ServiceNames.Select(n => new V1Alpha.ServiceResponse { Name = n }));
                    break;
                case V1Alpha.ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                    SetFiles(response, _index.FileByName(request.FileByFilename), $"File '{request.FileByFilename}' not found.");
                    break;
                case V1Alpha.ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                    SetFiles(response, _index.FileContainingSymbol(request.FileContainingSymbol), $"Symbol '{request.FileContainingSymbol}' not found.");
                    break;
                default:
                    response.ErrorResponse = new V1Alpha.ErrorResponse { ErrorCode = (int)StatusCode.Unimplemented, ErrorMessage = $"Request '{request.MessageRequestCase}' is not supported." };
                    break;
            }
            await responseStream.WriteAsync(response).ConfigureAwait(false);
        }
    }

    private static void SetFiles(V1Alpha.ServerReflectionResponse response, IReadOnlyList<ByteString>? files, string notFound)
    {
        if (files is null)
        {
            response.ErrorResponse = new V1Alpha.ErrorResponse { ErrorCode = (int)StatusCode.NotFound, ErrorMessage = notFound };
            return;
        }
        response.FileDescriptorResponse = new V1Alpha.FileDescriptorResponse();
        response.FileDescriptorResponse.FileDescriptorProto.AddRange(files);
    }
}
