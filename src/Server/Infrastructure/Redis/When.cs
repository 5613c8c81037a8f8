namespace AstralytiQ.Server.Infrastructure.Redis;

/// <summary>Condition for a write (SET's NX/XX, HSETNX).</summary>
public enum When
{
    Always,
    Exists,
    NotExists,
}
