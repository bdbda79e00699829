namespace ClusterWatch.Core.Profiling;

/// <summary>One frame of a flame graph: its name, the samples in it and everything it called.</summary>
public sealed class FlameNode(string name, int depth)
{
    private readonly Dictionary<string, FlameNode> _children = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    /// <summary>0 for the root ("all"), 1 for outermost callers, and so on.</summary>
    public int Depth { get; } = depth;

    /// <summary>Samples whose stack passes through this frame (its own plus its callees').</summary>
    public long Count { get; private set; }

    /// <summary>Callees in name order, the classic flame-graph layout (x order means nothing but is stable).</summary>
    public IEnumerable<FlameNode> Children => _children.Values.OrderBy(c => c.Name, StringComparer.Ordinal);

    /// <summary>The tree of collapsed stacks ("a;b;c" → count) under a root named "all".</summary>
    public static FlameNode Build(IReadOnlyDictionary<string, long> stacks)
    {
        var root = new FlameNode("all", 0);
        foreach (var (stack, count) in stacks)
        {
            if (count <= 0)
                continue;
            root.Count += count;
            var node = root;
            foreach (var frame in stack.Split(';'))
            {
                if (!node._children.TryGetValue(frame, out var child))
                    node._children[frame] = child = new FlameNode(frame, node.Depth + 1);
                child.Count += count;
                node = child;
            }
        }
        return root;
    }

    /// <summary>The depth of the deepest frame below (and including) this one.</summary>
    public int MaxDepth() => _children.Count == 0 ? Depth : _children.Values.Max(c => c.MaxDepth());
}
