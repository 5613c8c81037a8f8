namespace AstralytiQ.QueryEngine.Policy;

/// <summary>A column the caller may read.</summary>
/// <param name="Name">The column's name, exactly as in the physical table (it is also what users write).</param>
/// <param name="Type">Its PostgreSQL type, e.g. <c>integer</c>, <c>text</c>, <c>timestamp with time zone</c>.</param>
public sealed record CatalogColumn(string Name, string Type);

/// <summary>A table the caller may read, under its logical name, and where it really lives.</summary>
/// <param name="Name">The logical name users write, e.g. <c>sales</c>.</param>
/// <param name="PhysicalSchema">The physical schema, e.g. <c>t_acme</c>.</param>
/// <param name="PhysicalTable">The physical table, e.g. <c>ds_12_v3</c>.</param>
/// <param name="Columns">The readable columns, in table order. Columns not listed cannot be referenced (and <c>*</c> expands to these only).</param>
public sealed record CatalogTable(string Name, string PhysicalSchema, string PhysicalTable, IReadOnlyList<CatalogColumn> Columns)
{
    /// <summary>An optional logical schema users may write before the name (<c>Schema.Name</c>); null when tables are addressed by name only.</summary>
    public string? Schema { get; init; }

    /// <summary>The logical name as users may write it, e.g. <c>sales</c> or <c>finance.sales</c>.</summary>
    public string DisplayName => Schema is null ? Name : Schema + "." + Name;
}

/// <summary>The tables (and their columns) one caller may read. Immutable.</summary>
public sealed class TableCatalog
{
    /// <summary>Creates a catalog.</summary>
    /// <param name="tables">The readable tables; logical names must be unique (per logical schema).</param>
    /// <exception cref="ArgumentException">Two tables share a logical name, or a table has duplicate or empty column names.</exception>
    public TableCatalog(IEnumerable<CatalogTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        Tables = tables.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in Tables)
        {
            if (string.IsNullOrEmpty(t.Name) || string.IsNullOrEmpty(t.PhysicalSchema) || string.IsNullOrEmpty(t.PhysicalTable))
            {
                throw new ArgumentException("catalog tables need a logical name and a physical schema and table", nameof(tables));
            }

            if (!seen.Add(t.DisplayName))
            {
                throw new ArgumentException($"table \"{t.DisplayName}\" appears twice in the catalog", nameof(tables));
            }

            var columns = new HashSet<string>(StringComparer.Ordinal);
            foreach (var c in t.Columns)
            {
                if (string.IsNullOrEmpty(c.Name) || !columns.Add(c.Name))
                {
                    throw new ArgumentException($"table \"{t.DisplayName}\" has an empty or duplicate column name \"{c.Name}\"", nameof(tables));
                }
            }
        }
    }

    /// <summary>The readable tables.</summary>
    public IReadOnlyList<CatalogTable> Tables { get; }
}
