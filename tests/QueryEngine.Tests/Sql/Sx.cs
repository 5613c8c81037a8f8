using System.Collections;
using System.Reflection;
using System.Text;
using AstralytiQ.QueryEngine.Sql;

namespace AstralytiQ.QueryEngine.Tests.Sql;

/// <summary>Test helpers: a compact prefix notation for expressions and a structural dump that ignores spans.</summary>
internal static class Sx
{
    public static string Of(string expression) => Of(SqlParser.ParseExpression(expression));

    public static string Of(Expr e) => e switch
    {
        BinaryExpr b => $"({b.Operator} {Of(b.Left)} {Of(b.Right)})",
        UnaryExpr u => $"({u.Operator} {Of(u.Operand)})",
        ColumnRef c => string.Join('.', c.Name.Parts.Select(p => p.Normalized)),
        NumericLiteral n => n.Text,
        StringLiteral s => $"'{s.Value}'",
        BooleanLiteral b => b.Value ? "true" : "false",
        NullLiteral => "null",
        IsExpr i => $"(Is{(i.Negated ? "Not" : string.Empty)}{i.Test} {Of(i.Operand)})",
        IsDistinctFromExpr d => $"({(d.Negated ? "NotDistinct" : "Distinct")} {Of(d.Left)} {Of(d.Right)})",
        BetweenExpr be => $"({(be.Negated ? "NotBetween" : "Between")}{(be.Symmetric ? "Sym" : string.Empty)} {Of(be.Operand)} {Of(be.Low)} {Of(be.High)})",
        LikeExpr l => $"({(l.Negated ? "Not" : string.Empty)}{l.Kind} {Of(l.Operand)} {Of(l.Pattern)}{(l.Escape is null ? string.Empty : " " + Of(l.Escape))})",
        InListExpr il => $"({(il.Negated ? "NotIn" : "In")} {Of(il.Operand)} [{string.Join(" ", il.Values.Select(Of))}])",
        InSubqueryExpr isq => $"({(isq.Negated ? "NotIn" : "In")} {Of(isq.Operand)} <query>)",
        CastExpr c => $"(Cast {Of(c.Operand)} {c.Type.Name})",
        FunctionCall f => $"{f.Name}({(f.Star ? "*" : string.Join(" ", f.Args.Select(Of)))})",
        AtTimeZoneExpr at => $"(AtTimeZone {Of(at.Operand)} {Of(at.Zone)})",
        _ => SqlRenderer.RenderExpression(e),
    };

    /// <summary>Every public property but <see cref="SqlNode.Span"/>, recursively: two trees with equal dumps have the same structure.</summary>
    public static string Dump(object? node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                return;
            case string s:
                sb.Append('"').Append(s).Append('"');
                return;
            case Identifier id:
                sb.Append("Id(").Append(id.Normalized).Append(')');
                return;
            case bool or int or long or Enum:
                sb.Append(node);
                return;
            case IEnumerable list:
                sb.Append('[');
                foreach (var item in list)
                {
                    Write(sb, item);
                    sb.Append(',');
                }

                sb.Append(']');
                return;
        }

        var type = node.GetType();
        sb.Append(type.Name).Append('{');
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (p.Name is "Span" or "EqualityContract" || p.GetIndexParameters().Length > 0)
            {
                continue;
            }

            sb.Append(p.Name).Append('=');
            Write(sb, p.GetValue(node));
            sb.Append(';');
        }

        sb.Append('}');
    }
}
