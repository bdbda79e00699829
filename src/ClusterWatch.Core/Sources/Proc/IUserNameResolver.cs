namespace ClusterWatch.Core.Sources.Proc;

/// <summary>uid → user name on one node; a uid with no name stays its number as text, never an error.</summary>
public interface IUserNameResolver
{
    string Resolve(int uid);
}
