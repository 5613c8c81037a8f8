using System.Globalization;
using AstralytiQ.Api.V1;
using EngineCode = AstralytiQ.QueryEngine.SqlErrorCode;
using Google.Protobuf.WellKnownTypes;

namespace AstralytiQ.Server.Features.Query;

/// <summary>Results and errors as the public API carries them; shared with other features that return rows.</summary>
public static class QueryMapping
{
    public static SqlColumn ToProto(QueryColumn column) => new()
    {
        Name = column.Name,
        Type = column.Kind switch
        {
            ValueKind.Bool => SqlValueType.Bool,
            ValueKind.Int64 => SqlValueType.Int64,
            ValueKind.Double => SqlValueType.Double,
            ValueKind.Decimal => SqlValueType.Decimal,
            ValueKind.Date => SqlValueType.Date,
            ValueKind.Timestamp => SqlValueType.Timestamp,
            _ => SqlValueType.String,
        },
        DatabaseType = column.DatabaseType,
    };

    public static SqlRow ToProto(IReadOnlyList<QueryColumn> columns, object?[] row)
    {
        var proto = new SqlRow();
        for (var i = 0; i < row.Length; i++)
        {
            proto.Values.Add(ToValue(columns[i].Kind, row[i]));
        }
        return proto;
    }

    private static SqlValue ToValue(ValueKind kind, object? value) => value switch
    {
        null => new SqlValue { NullValue = NullValue.NullValue },
        bool b => new SqlValue { BoolValue = b },
        long l => new SqlValue { Int64Value = l },
        double d => new SqlValue { DoubleValue = d },
        DateOnly date => new SqlValue { DateValue = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
        DateTime time => new SqlValue { TimestampValue = Timestamp.FromDateTime(DateTime.SpecifyKind(time, DateTimeKind.Utc)) },
        string s when kind == ValueKind.Decimal => new SqlValue { DecimalValue = s },
        string s => new SqlValue { StringValue = s },
        _ => new SqlValue { StringValue = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "" },
    };

    public static Api.V1.SqlError ToProto(QueryEngine.SqlError error) => new()
    {
        Code = error.Code switch
        {
            EngineCode.Syntax => Api.V1.SqlErrorCode.Syntax,
            EngineCode.Unsupported => Api.V1.SqlErrorCode.Unsupported,
            EngineCode.StatementNotAllowed => Api.V1.SqlErrorCode.StatementNotAllowed,
            EngineCode.RecursiveQuery => Api.V1.SqlErrorCode.RecursiveQuery,
            EngineCode.TooComplex => Api.V1.SqlErrorCode.TooComplex,
            EngineCode.UnknownTable => Api.V1.SqlErrorCode.UnknownTable,
            EngineCode.UnknownColumn => Api.V1.SqlErrorCode.UnknownColumn,
            EngineCode.AmbiguousName => Api.V1.SqlErrorCode.AmbiguousName,
            EngineCode.SchemaNotAllowed => Api.V1.SqlErrorCode.SchemaNotAllowed,
            EngineCode.FunctionNotAllowed => Api.V1.SqlErrorCode.FunctionNotAllowed,
            EngineCode.TypeNotAllowed => Api.V1.SqlErrorCode.TypeNotAllowed,
            EngineCode.InvalidLimit => Api.V1.SqlErrorCode.InvalidLimit,
            _ => Api.V1.SqlErrorCode.Invalid,
        },
        Message = error.Message,
        Line = error.Line,
        Column = error.Column,
        Offset = error.Offset,
        Length = error.Length,
        Snippet = error.Snippet,
    };

    /// <summary>"line 2, column 7: message" (or the bare message where the position is unknown).</summary>
    public static string Describe(Api.V1.SqlError error) =>
        error.Offset < 0 ? error.Message : $"line {error.Line}, column {error.Column}: {error.Message}";
}
