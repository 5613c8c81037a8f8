using System.Reflection;
using Microsoft.AspNetCore.Identity;

namespace AstralytiQ.Server.Features.Identity;

/// <summary>
/// Password rules (at least 10 characters, not a commonly used password or an obvious variant of
/// one) and hashing (PBKDF2 through the framework's PasswordHasher, with its version marker so the
/// iteration count can grow later).
/// </summary>
public sealed class PasswordPolicy
{
    public const int MinimumLength = 10;
    public const int MaximumLength = 256;

    private static readonly HashSet<string> Common = LoadCommonPasswords();
    private readonly PasswordHasher<object> _hasher = new();
    private static readonly object HashOwner = new();

    /// <summary>Null when acceptable, otherwise the reason, phrased for the person choosing it.</summary>
    public static string? Check(string password, string? email = null)
    {
        if (password.Length < MinimumLength)
        {
            return $"must be at least {MinimumLength} characters long";
        }
        if (password.Length > MaximumLength)
        {
            return $"must be at most {MaximumLength} characters long";
        }
        var lowered = password.ToLowerInvariant();
        if (Common.Contains(lowered) || Common.Contains(StripDecoration(lowered)))
        {
            return "is too common; choose one that is not on lists of frequently used passwords";
        }
        if (lowered.Distinct().Count() <= 2)
        {
            return "repeats too few characters";
        }
        if (IsSequence(lowered))
        {
            return "is a simple sequence";
        }
        if (email is not null)
        {
            var local = email.Split('@')[0].ToLowerInvariant();
            if (local.Length >= 4 && lowered.Contains(local, StringComparison.Ordinal))
            {
                return "must not contain your email address";
            }
        }
        return null;
    }

    public string Hash(string password) => _hasher.HashPassword(HashOwner, password);

    public bool Verify(string? hash, string password) =>
        hash is not null && _hasher.VerifyHashedPassword(HashOwner, hash, password) != PasswordVerificationResult.Failed;

    /// <summary>A hash to verify against when the user does not exist, so timing does not reveal it.</summary>
    public string DummyHash { get; } = new PasswordHasher<object>().HashPassword(HashOwner, "not-a-real-password-" + Guid.NewGuid());

    // "Password2024!", "qwerty123456" and the like are the common word with decoration around it.
    private static string StripDecoration(string password)
    {
        var start = 0;
        var end = password.Length;
        while (end > start && !char.IsLetter(password[end - 1]))
        {
            end--;
        }
        while (start < end && !char.IsLetter(password[start]))
        {
            start++;
        }
        return password[start..end];
    }

    private static bool IsSequence(string password)
    {
        var ascending = true;
        var descending = true;
        for (var i = 1; i < password.Length; i++)
        {
            ascending &= password[i] == password[i - 1] + 1;
            descending &= password[i] == password[i - 1] - 1;
        }
        return ascending || descending;
    }

    private static HashSet<string> LoadCommonPasswords()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Identity/common-passwords.txt")
            ?? throw new InvalidOperationException("The common-passwords list is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line.ToLowerInvariant());
            }
        }
        return set;
    }
}
