#:property PublishAot=false
// Generates the sample datasets AstralytiQ ships (retail_sales.csv, diamonds.csv, flights.csv).
// A .NET file-based program: run it from the repository root with
//     dotnet run samples/generate.cs
// The output is a pure function of the fixed seeds below: the generator uses its own SplitMix64
// random source, so the files are byte-identical on every machine and .NET version.
using System.Globalization;
using System.Text;

var outDir = args.Length > 0 ? args[0] : Path.Combine(Directory.GetCurrentDirectory(), "samples");
Directory.CreateDirectory(outDir);
Write(Path.Combine(outDir, "retail_sales.csv"), Retail.Generate(new Rng(20240601)));
Write(Path.Combine(outDir, "diamonds.csv"), Diamonds.Generate(new Rng(17760704)));
Write(Path.Combine(outDir, "flights.csv"), Flights.Generate(new Rng(19690720)));
return;

static void Write(string path, IEnumerable<string> lines)
{
    using var w = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
    var n = -1;
    foreach (var line in lines)
    {
        w.WriteLine(line);
        n++;
    }

    Console.WriteLine($"{path}: {n} rows");
}

/// <summary>SplitMix64: tiny, fast and identical everywhere.</summary>
sealed class Rng(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double Uniform() => (Next() >> 11) * (1.0 / (1UL << 53));

    public int Int(int minInclusive, int maxInclusive) => minInclusive + (int)(Uniform() * (maxInclusive - minInclusive + 1));

    public bool Chance(double p) => Uniform() < p;

    public double Normal(double mean, double sd)
    {
        var u1 = 1.0 - Uniform();
        var u2 = Uniform();
        return mean + sd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public double Exponential(double mean) => -mean * Math.Log(1.0 - Uniform());

    public T Pick<T>(IReadOnlyList<(T Item, double Weight)> weighted)
    {
        var total = 0.0;
        foreach (var (_, w) in weighted)
        {
            total += w;
        }

        var x = Uniform() * total;
        foreach (var (item, w) in weighted)
        {
            x -= w;
            if (x < 0)
            {
                return item;
            }
        }

        return weighted[^1].Item;
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[(int)(Uniform() * items.Count)];
}

static class Csv
{
    public static string Row(params object?[] fields) => string.Join(',', fields.Select(Field));

    private static string Field(object? v) => v switch
    {
        null => string.Empty,
        string s when s.IndexOfAny([',', '"', '\n']) >= 0 => "\"" + s.Replace("\"", "\"\"") + "\"",
        string s => s,
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.00", CultureInfo.InvariantCulture),
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? string.Empty,
    };
}

static class Retail
{
    private sealed record Product(string Category, string Name, decimal Price);

    private static readonly (string Region, string State, string City, double Weight, string[] Stores)[] Cities =
    [
        ("West", "California", "Los Angeles", 10, ["Los Angeles Downtown", "Los Angeles Westside"]),
        ("West", "California", "San Francisco", 6, ["San Francisco Union Square"]),
        ("West", "California", "San Diego", 5, ["San Diego Gaslamp"]),
        ("West", "Washington", "Seattle", 6, ["Seattle Capitol Hill"]),
        ("West", "Washington", "Spokane", 2, ["Spokane Valley"]),
        ("West", "Colorado", "Denver", 4, ["Denver LoDo"]),
        ("South", "Texas", "Houston", 7, ["Houston Galleria", "Houston Heights"]),
        ("South", "Texas", "Austin", 5, ["Austin Domain", "Austin Downtown"]),
        ("South", "Texas", "Dallas", 6, ["Dallas Uptown"]),
        ("South", "Florida", "Miami", 5, ["Miami Brickell"]),
        ("South", "Florida", "Orlando", 3, ["Orlando Mills"]),
        ("South", "Florida", "Tampa", 3, ["Tampa Bay Center"]),
        ("South", "Georgia", "Atlanta", 5, ["Atlanta Midtown"]),
        ("Central", "Illinois", "Chicago", 9, ["Chicago Loop", "Chicago Lincoln Park"]),
        ("Central", "Ohio", "Columbus", 3, ["Columbus Easton"]),
        ("Central", "Ohio", "Cleveland", 2, ["Cleveland Crocker Park"]),
        ("Central", "Michigan", "Detroit", 4, ["Detroit Midtown"]),
        ("Central", "Minnesota", "Minneapolis", 3, ["Minneapolis Uptown"]),
        ("East", "New York", "New York City", 12, ["New York Fifth Avenue", "New York Brooklyn", "New York Queens"]),
        ("East", "New York", "Buffalo", 2, ["Buffalo Elmwood"]),
        ("East", "Pennsylvania", "Philadelphia", 5, ["Philadelphia Center City"]),
        ("East", "Pennsylvania", "Pittsburgh", 3, ["Pittsburgh Shadyside"]),
        ("East", "Massachusetts", "Boston", 6, ["Boston Back Bay"]),
    ];

    private static readonly Product[] Products =
    [
        new("Electronics", "Laptop", 899m), new("Electronics", "Smartphone", 699m), new("Electronics", "Tablet", 399m),
        new("Electronics", "Headphones", 149m), new("Electronics", "Monitor", 249m), new("Electronics", "Keyboard", 59m),
        new("Electronics", "Wireless Mouse", 29m), new("Electronics", "Webcam", 79m),
        new("Furniture", "Office Chair", 199m), new("Furniture", "Standing Desk", 449m), new("Furniture", "Bookcase", 159m),
        new("Furniture", "Filing Cabinet", 129m), new("Furniture", "Sofa", 799m), new("Furniture", "Floor Lamp", 49m),
        new("Office Supplies", "Copy Paper", 9.99m), new("Office Supplies", "Gel Pens", 5.99m), new("Office Supplies", "Stapler", 14.99m),
        new("Office Supplies", "Binder", 7.99m), new("Office Supplies", "Notebook", 4.99m), new("Office Supplies", "Printer Ink", 39.99m),
        new("Office Supplies", "Sticky Notes", 3.49m),
        new("Apparel", "T-Shirt", 19.99m), new("Apparel", "Jeans", 49.99m), new("Apparel", "Rain Jacket", 89.99m),
        new("Apparel", "Sneakers", 79.99m), new("Apparel", "Hoodie", 44.99m), new("Apparel", "Wool Socks", 12.99m),
        new("Home & Kitchen", "Coffee Maker", 89.99m), new("Home & Kitchen", "Blender", 59.99m), new("Home & Kitchen", "Cookware Set", 129.99m),
        new("Home & Kitchen", "Knife Set", 79.99m), new("Home & Kitchen", "Toaster", 34.99m), new("Home & Kitchen", "Water Bottle", 19.99m),
    ];

    private static readonly (string Category, double Weight, double CostRatio, double ReturnRate)[] Categories =
    [
        ("Office Supplies", 30, 0.52, 0.02), ("Apparel", 20, 0.45, 0.09), ("Home & Kitchen", 19, 0.56, 0.04),
        ("Electronics", 19, 0.76, 0.05), ("Furniture", 12, 0.62, 0.03),
    ];

    public static IEnumerable<string> Generate(Rng rng)
    {
        yield return "order_id,order_date,channel,region,state,city,store,category,product,quantity,unit_price,discount,revenue,profit,customer_id,customer_segment,payment_method,ship_mode,customer_rating,returned";
        var start = new DateOnly(2021, 1, 1);
        var end = new DateOnly(2024, 6, 30);
        var days = new List<(DateOnly Day, double Weight)>();
        for (var d = start; d <= end; d = d.AddDays(1))
        {
            double[] season = [0.8, 0.8, 0.95, 0.95, 1.0, 1.0, 1.0, 1.05, 1.1, 1.05, 1.4, 1.75];
            var growth = Math.Pow(1.14, (d.DayNumber - start.DayNumber) / 365.25);
            var weekend = d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1.25 : 1.0;
            days.Add((d, season[d.Month - 1] * growth * weekend));
        }

        const int orders = 30_000;
        var dates = Enumerable.Range(0, orders).Select(_ => rng.Pick(days)).OrderBy(d => d.DayNumber).ToArray();
        var segments = new Dictionary<int, string>();
        for (var i = 0; i < orders; i++)
        {
            var date = dates[i];
            var online = rng.Chance(0.28 + 0.03 * (date.Year - 2021));
            var place = rng.Pick(Cities.Select(c => (c, c.Weight)).ToArray());
            string? store = online ? null : rng.Pick(place.Stores);
            var category = rng.Pick(Categories.Select(c => (c, c.Weight)).ToArray());
            var product = rng.Pick(Products.Where(p => p.Category == category.Category).ToArray());
            var quantity = category.Category == "Office Supplies" ? 1 + (int)rng.Exponential(3.0) : 1 + (int)rng.Exponential(0.45);
            quantity = Math.Min(quantity, 20);
            var unitPrice = Math.Round(product.Price * (decimal)Math.Pow(1.03, date.Year - 2021), 2);
            var discount = rng.Pick<decimal>([(0m, 60), (0.05m, 14), (0.10m, 12), (0.15m, 7), (0.20m, 5), (0.30m, date.Month == 1 ? 8 : 1)]);
            var gross = quantity * unitPrice;
            var revenue = Math.Round(gross * (1 - discount), 2);
            var profit = Math.Round(revenue - gross * (decimal)(category.CostRatio * (1 + rng.Normal(0, 0.04))), 2);
            var customer = 1 + (int)Math.Min(8999, rng.Exponential(2600));
            if (!segments.TryGetValue(customer, out var segment))
            {
                segment = rng.Pick<string>([("Consumer", 55), ("Corporate", 30), ("Home Office", 15)]);
                segments[customer] = segment;
            }

            var payment = online
                ? rng.Pick<string>([("Credit Card", 55), ("PayPal", 30), ("Debit Card", 12), ("Gift Card", 3)])
                : rng.Pick<string>([("Credit Card", 45), ("Debit Card", 30), ("Cash", 20), ("Gift Card", 5)]);
            string? shipMode = online ? rng.Pick<string>([("Standard", 58), ("Express", 25), ("Same Day", 6), ("Store Pickup", 11)]) : null;
            int? rating = rng.Chance(0.45) ? rng.Pick<int>([(1, 4), (2, 6), (3, 15), (4, 35), (5, 40)]) : null;
            var returned = rng.Chance(category.ReturnRate * (online ? 1.6 : 0.8));
            yield return Csv.Row(100001 + i, date, online ? "Online" : "In-Store", place.Region, place.State, place.City, store, category.Category,
                product.Name, quantity, unitPrice, discount, revenue, profit, customer, segment, payment, shipMode, rating, returned);
        }
    }
}

static class Diamonds
{
    public static IEnumerable<string> Generate(Rng rng)
    {
        yield return "diamond_id,carat,cut,color,clarity,shape,depth,table_pct,price,length_mm,width_mm,height_mm,lab";
        (string Name, double Weight, double Factor)[] cuts = [("Fair", 3, 0.80), ("Good", 9, 0.90), ("Very Good", 22, 0.97), ("Premium", 26, 1.02), ("Ideal", 40, 1.05)];
        (string Name, double Weight, double Factor)[] colors = [("D", 12, 1.30), ("E", 18, 1.20), ("F", 18, 1.12), ("G", 21, 1.03), ("H", 15, 0.92), ("I", 10, 0.80), ("J", 6, 0.70)];
        (string Name, double Weight, double Factor)[] clarities =
            [("I1", 2, 0.55), ("SI2", 17, 0.80), ("SI1", 24, 0.92), ("VS2", 23, 1.02), ("VS1", 15, 1.10), ("VVS2", 9, 1.20), ("VVS1", 7, 1.30), ("IF", 3, 1.45)];
        (string Name, double Weight, double Factor)[] shapes = [("Round", 70, 1.0), ("Princess", 8, 0.85), ("Oval", 7, 0.92), ("Cushion", 6, 0.88), ("Emerald", 5, 0.90), ("Pear", 4, 0.90)];
        double[] sizes = [0.3, 0.4, 0.5, 0.7, 0.9, 1.0, 1.2, 1.5, 2.0];
        for (var i = 0; i < 20_000; i++)
        {
            var cut = rng.Pick(cuts.Select(c => (c, c.Weight)).ToArray());
            var color = rng.Pick(colors.Select(c => (c, c.Weight)).ToArray());
            var clarity = rng.Pick(clarities.Select(c => (c, c.Weight)).ToArray());
            var shape = rng.Pick(shapes.Select(c => (c, c.Weight)).ToArray());
            var carat = rng.Chance(0.45)
                ? rng.Pick(sizes) + Math.Abs(rng.Normal(0, 0.03))
                : Math.Exp(rng.Normal(-0.35, 0.55));
            carat = Math.Round(Math.Clamp(carat, 0.2, 5.0), 2);
            var price = Math.Exp(8.35 + 1.72 * Math.Log(carat)) * cut.Factor * color.Factor * clarity.Factor * shape.Factor * Math.Exp(rng.Normal(0, 0.12));
            var depth = Math.Round(rng.Normal(shape.Name == "Round" ? 61.8 : 64.5, 1.3), 1);
            var table = Math.Round(rng.Normal(cut.Name is "Ideal" ? 56 : 58, 2.0), 1);
            var diameter = 6.45 * Math.Pow(carat, 1.0 / 3.0) * (1 + rng.Normal(0, 0.01));
            var length = Math.Round(diameter * (shape.Name is "Oval" or "Emerald" or "Pear" ? 1.35 : 1.0), 2);
            var width = Math.Round(diameter * (1 + rng.Normal(0, 0.006)), 2);
            var height = Math.Round(width * depth / 100, 2);
            string? lab = rng.Pick<string?>([("GIA", 55), ("IGI", 25), ("AGS", 8), ("HRD", 4), (null, 8)]);
            yield return Csv.Row(i + 1, carat, cut.Name, color.Name, clarity.Name, shape.Name, depth, table, (int)Math.Round(Math.Max(326, price)), length, width, height, lab);
        }
    }
}

static class Flights
{
    private static readonly (string Code, string City, double Lat, double Lon, double Weight)[] Airports =
    [
        ("ATL", "Atlanta", 33.64, -84.43, 10), ("LAX", "Los Angeles", 33.94, -118.41, 8), ("ORD", "Chicago", 41.97, -87.91, 8),
        ("DFW", "Dallas", 32.90, -97.04, 8), ("DEN", "Denver", 39.86, -104.67, 7), ("JFK", "New York", 40.64, -73.78, 7),
        ("SFO", "San Francisco", 37.62, -122.38, 6), ("SEA", "Seattle", 47.45, -122.31, 5), ("LAS", "Las Vegas", 36.08, -115.15, 5),
        ("MCO", "Orlando", 28.43, -81.31, 5), ("BOS", "Boston", 42.36, -71.01, 4), ("MIA", "Miami", 25.80, -80.29, 4),
        ("PHX", "Phoenix", 33.43, -112.01, 4), ("IAH", "Houston", 29.99, -95.34, 4), ("MSP", "Minneapolis", 44.88, -93.22, 4),
    ];

    private static readonly (string Name, string Code, double Weight, string[] Hubs, double DelayMean)[] Carriers =
    [
        ("Delta Air Lines", "DL", 20, ["ATL", "MSP", "JFK", "SEA"], 9), ("American Airlines", "AA", 20, ["DFW", "MIA", "ORD", "PHX"], 13),
        ("United Airlines", "UA", 17, ["ORD", "DEN", "SFO", "IAH"], 12), ("Southwest Airlines", "WN", 20, ["LAS", "PHX", "DEN", "MCO"], 11),
        ("JetBlue Airways", "B6", 8, ["JFK", "BOS", "MCO"], 17), ("Alaska Airlines", "AS", 8, ["SEA", "SFO", "LAX"], 8),
        ("Spirit Airlines", "NK", 7, ["MCO", "LAS", "DFW"], 18),
    ];

    public static IEnumerable<string> Generate(Rng rng)
    {
        yield return "year,month,day,day_of_week,carrier,carrier_code,flight_number,origin,origin_city,dest,dest_city,dep_hour,dep_delay,arr_delay,air_time,distance,cancelled,cancellation_reason,diverted";
        var days = new List<(DateOnly Day, double Weight)>();
        for (var d = new DateOnly(2019, 1, 1); d <= new DateOnly(2023, 12, 31); d = d.AddDays(1))
        {
            double[] season = [0.85, 0.8, 0.95, 0.95, 1.0, 1.15, 1.2, 1.15, 0.9, 0.95, 1.0, 1.1];
            var covid = d.Year == 2020 && d.Month >= 4 ? 0.45 : d.Year == 2021 ? 0.8 : 1.0;
            days.Add((d, season[d.Month - 1] * covid));
        }

        var rows = Enumerable.Range(0, 40_000).Select(_ => rng.Pick(days)).OrderBy(d => d.DayNumber).ToArray();
        foreach (var date in rows)
        {
            var carrier = rng.Pick(Carriers.Select(c => (c, c.Weight)).ToArray());
            var hub = rng.Pick(carrier.Hubs);
            var origin = rng.Chance(0.6)
                ? Airports.First(a => a.Code == hub)
                : rng.Pick(Airports.Select(a => (a, a.Weight)).ToArray());
            var dest = origin;
            while (dest.Code == origin.Code)
            {
                var destHub = rng.Pick(carrier.Hubs);
                dest = rng.Chance(0.4) ? Airports.First(a => a.Code == destHub) : rng.Pick(Airports.Select(a => (a, a.Weight)).ToArray());
            }

            var distance = (int)Math.Round(GreatCircleMiles(origin.Lat, origin.Lon, dest.Lat, dest.Lon));
            var hour = rng.Int(5, 22);
            var winter = date.Month is 12 or 1 or 2;
            var cancelled = rng.Chance(winter ? 0.035 : date.Month is 6 or 7 or 8 ? 0.022 : 0.012);
            string? reason = cancelled ? rng.Pick<string>([(winter ? "Weather" : "Carrier", 45), (winter ? "Carrier" : "Weather", 28), ("National Air System", 22), ("Security", 5)]) : null;
            var diverted = !cancelled && rng.Chance(0.003);
            int? depDelay = null, arrDelay = null, airTime = null;
            if (!cancelled)
            {
                var lateness = carrier.DelayMean * (date.Month is 6 or 7 or 8 or 12 ? 1.35 : 1.0) * (hour >= 17 ? 1.4 : 0.8);
                var dep = rng.Chance(0.62) ? rng.Int(-12, 3) : (int)Math.Round(rng.Exponential(lateness * 2.2));
                depDelay = Math.Min(dep, 900);
                if (!diverted)
                {
                    airTime = Math.Max(25, (int)Math.Round(distance / 7.8 + 18 + rng.Normal(0, 6)));
                    arrDelay = depDelay + (int)Math.Round(rng.Normal(-6, 9));
                }
            }

            yield return Csv.Row(date.Year, date.Month, date.Day, date.DayOfWeek.ToString(), carrier.Name, carrier.Code, rng.Int(100, 2999),
                origin.Code, origin.City, dest.Code, dest.City, hour, depDelay, arrDelay, airTime, distance, cancelled, reason, diverted);
        }
    }

    private static double GreatCircleMiles(double lat1, double lon1, double lat2, double lon2)
    {
        static double Rad(double d) => d * Math.PI / 180;
        var a = Math.Pow(Math.Sin(Rad(lat2 - lat1) / 2), 2) + Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Pow(Math.Sin(Rad(lon2 - lon1) / 2), 2);
        return 3958.8 * 2 * Math.Asin(Math.Sqrt(a));
    }
}
