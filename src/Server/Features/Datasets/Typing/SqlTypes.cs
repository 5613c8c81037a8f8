using AstralytiQ.Api.V1;
using NpgsqlTypes;

namespace AstralytiQ.Server.Features.Datasets.Typing;

/// <summary>The column types a dataset table may have (the catalog's data_type values).</summary>
public enum SqlType
{
    Boolean,
    Integer,
    BigInt,
    Numeric,
    Double,
    Date,
    Timestamp,
    TimestampTz,
    Text,
}

public static class SqlTypes
{
    public static string Name(SqlType type) => type switch
    {
        SqlType.Boolean => "boolean",
        SqlType.Integer => "integer",
        SqlType.BigInt => "bigint",
        SqlType.Numeric => "numeric",
        SqlType.Double => "double precision",
        SqlType.Date => "date",
        SqlType.Timestamp => "timestamp",
        SqlType.TimestampTz => "timestamptz",
        _ => "text",
    };

    public static SqlType Parse(string name) => name switch
    {
        "boolean" or "bool" => SqlType.Boolean,
        "integer" or "int4" or "smallint" or "int2" => SqlType.Integer,
        "bigint" or "int8" => SqlType.BigInt,
        "numeric" => SqlType.Numeric,
        "double precision" or "float8" or "real" or "float4" => SqlType.Double,
        "date" => SqlType.Date,
        "timestamp" or "timestamp without time zone" => SqlType.Timestamp,
        "timestamptz" or "timestamp with time zone" => SqlType.TimestampTz,
        _ => SqlType.Text,
    };

    /// <summary>The PostgreSQL type of a result column, when it is one a dataset can hold.</summary>
    public static SqlType? FromPostgres(string dataTypeName) => dataTypeName switch
    {
        "boolean" or "bool" => SqlType.Boolean,
        "integer" or "int4" or "smallint" or "int2" => SqlType.Integer,
        "bigint" or "int8" => SqlType.BigInt,
        "numeric" => SqlType.Numeric,
        "double precision" or "float8" or "real" or "float4" => SqlType.Double,
        "date" => SqlType.Date,
        "timestamp without time zone" or "timestamp" => SqlType.Timestamp,
        "timestamp with time zone" or "timestamptz" => SqlType.TimestampTz,
        "text" or "character varying" or "varchar" or "character" or "bpchar" or "name" => SqlType.Text,
        _ => null,
    };

    public static NpgsqlDbType DbType(SqlType type) => type switch
    {
        SqlType.Boolean => NpgsqlDbType.Boolean,
        SqlType.Integer => NpgsqlDbType.Integer,
        SqlType.BigInt => NpgsqlDbType.Bigint,
        SqlType.Numeric => NpgsqlDbType.Numeric,
        SqlType.Double => NpgsqlDbType.Double,
        SqlType.Date => NpgsqlDbType.Date,
        SqlType.Timestamp => NpgsqlDbType.Timestamp,
        SqlType.TimestampTz => NpgsqlDbType.TimestampTz,
        _ => NpgsqlDbType.Text,
    };

    public static ColumnType ToProto(SqlType type) => type switch
    {
        SqlType.Boolean => ColumnType.Boolean,
        SqlType.Integer => ColumnType.Integer,
        SqlType.BigInt => ColumnType.Bigint,
        SqlType.Numeric => ColumnType.Numeric,
        SqlType.Double => ColumnType.Double,
        SqlType.Date => ColumnType.Date,
        SqlType.Timestamp => ColumnType.Timestamp,
        SqlType.TimestampTz => ColumnType.Timestamptz,
        _ => ColumnType.Text,
    };

    public static SqlType? FromProto(ColumnType type) => type switch
    {
        ColumnType.Boolean => SqlType.Boolean,
        ColumnType.Integer => SqlType.Integer,
        ColumnType.Bigint => SqlType.BigInt,
        ColumnType.Numeric => SqlType.Numeric,
        ColumnType.Double => SqlType.Double,
        ColumnType.Date => SqlType.Date,
        ColumnType.Timestamp => SqlType.Timestamp,
        ColumnType.Timestamptz => SqlType.TimestampTz,
        ColumnType.Text => SqlType.Text,
        _ => null,
    };

    public static bool IsNumber(SqlType type) => type is SqlType.Integer or SqlType.BigInt or SqlType.Numeric or SqlType.Double;

    public static bool IsTemporal(SqlType type) => type is SqlType.Date or SqlType.Timestamp or SqlType.TimestampTz;
}
