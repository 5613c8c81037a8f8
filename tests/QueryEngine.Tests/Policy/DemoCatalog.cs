using AstralytiQ.QueryEngine.Policy;

namespace AstralytiQ.QueryEngine.Tests.Policy;

/// <summary>The tenant "acme" with three datasets; customers has a physical column (ssn) the catalog hides.</summary>
internal static class DemoCatalog
{
    public static readonly TableCatalog Catalog = new([
        new CatalogTable("sales", "t_acme", "ds_12_v3", [
            new CatalogColumn("id", "bigint"),
            new CatalogColumn("region", "text"),
            new CatalogColumn("amount", "numeric"),
            new CatalogColumn("sold_at", "timestamp with time zone"),
            new CatalogColumn("customer_id", "bigint"),
        ]),
        new CatalogTable("returns", "t_acme", "ds_13_v1", [
            new CatalogColumn("id", "bigint"),
            new CatalogColumn("sale_id", "bigint"),
            new CatalogColumn("amount", "numeric"),
            new CatalogColumn("reason", "text"),
        ]),
        new CatalogTable("customers", "t_acme", "ds_14_v2", [
            new CatalogColumn("id", "bigint"),
            new CatalogColumn("Name", "text"),
            new CatalogColumn("country", "text"),
        ]),
    ]);

    public static readonly QueryPolicy Policy = QueryPolicy.Default with { MaxResultRows = 1000 };
}
