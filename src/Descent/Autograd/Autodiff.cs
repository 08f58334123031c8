using Descent.Tensors;

namespace Descent.Autograd;

/// <summary>
/// Reverse-mode automatic differentiation over the recorded operations (define-by-run).
/// Gradient rules are tensor operations, so with <c>createGraph: true</c> the gradients are recorded
/// too and can be differentiated again: Hessian-vector products by double backward
/// (Pearlmutter 1994: <c>Hv = ∇(vᵀ∇f)</c>), dense Hessians and Jacobians for small problems.
/// Graphs are kept after a backward pass, so the same graph can be differentiated many times.
/// </summary>
public static class Autodiff
{
    /// <summary>Turns recording off until disposed (evaluation, optimizer steps).
    /// <code>using (Autodiff.NoGrad()) { var pred = model.Forward(x); }</code></summary>
    public static GradMode.Restore NoGrad() => GradMode.Set(false);

    /// <summary>Turns recording on until disposed (inside a <see cref="NoGrad"/> region).</summary>
    public static GradMode.Restore EnableGrad() => GradMode.Set(true);

    internal static bool ShouldRecord(Tensor a) => a.RequiresGrad && GradMode.IsEnabled;

    internal static bool ShouldRecord(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && GradMode.IsEnabled;

    internal static bool ShouldRecord(ReadOnlySpan<Tensor> xs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var x in xs) if (x.RequiresGrad) return true;
        return false;
    }

    internal static Tensor Record(Tensor output, string op, Tensor[] inputs, BackwardFn backward)
    {
        output.MarkRecorded(new Node(op, inputs, backward));
        return output;
    }

    /// <summary>
    /// Gradients of <paramref name="outputs"/> (weighted by <paramref name="gradOutputs"/>, default 1 for
    /// scalars) with respect to <paramref name="inputs"/>. An input the outputs do not depend on gets
    /// null. With <paramref name="createGraph"/> the returned gradients are recorded and can be
    /// differentiated again.
    /// </summary>
    public static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor?>? gradOutputs = null, bool createGraph = false) =>
        Grad(outputs, inputs, gradOutputs, createGraph, inputValuesUnused: false);

    /// <summary>
    /// As the public overload; with <paramref name="inputValuesUnused"/> (and <paramref name="createGraph"/>)
    /// the caller promises to use the returned gradients only as outputs of a further backward pass, never
    /// their values, so rules may record the gradients of leaf inputs without computing them (see
    /// <see cref="GradRequest.ValueUnused"/>). A Hessian-vector product then skips one GEMM per weight matrix.
    /// </summary>
    internal static Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor?>? gradOutputs, bool createGraph, bool inputValuesUnused)
    {
        var targets = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var x in inputs)
        {
            if (!x.RequiresGrad)
                throw new InvalidOperationException($"Grad: input {Describe(x)} does not require gradients.");
            targets.Add(x);
        }
        var grads = Run(outputs, gradOutputs, createGraph, t => targets.Contains(t), inputValuesUnused && createGraph);
        var result = new Tensor?[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
            result[i] = grads.TryGetValue(inputs[i], out var g) ? g : null;
        return result;
    }

    /// <summary>
    /// Writes <c>∂output/∂inputs[i]</c> into <paramref name="destinations"/>[i] (same shape and type; its
    /// previous contents are overwritten) and returns, for each input, whether the output depends on it
    /// (destinations of the inputs it does not depend on are left untouched). Rules that can (MatMul) write
    /// the gradient straight into its destination, so a weight gradient is not computed into a temporary and
    /// copied: what a training step uses to fill a model's flat gradient buffer. Gradients are values (not
    /// recorded).
    /// </summary>
    /// <exception cref="ShapeException">A destination's shape or type differs from its input's.</exception>
    public static bool[] GradInto(Tensor output, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> destinations)
    {
        if (destinations.Count != inputs.Count)
            throw new ArgumentException($"GradInto: {inputs.Count} inputs but {destinations.Count} destinations.");
        var targets = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < inputs.Count; i++)
        {
            var x = inputs[i];
            var d = destinations[i];
            if (!x.RequiresGrad)
                throw new InvalidOperationException($"GradInto: input {Describe(x)} does not require gradients.");
            if (d.Shape != x.Shape || d.DType != x.DType)
                throw new ShapeException($"GradInto: destination {d.Shape} {d.DType} for input {Describe(x)} {x.DType}.");
            targets.TryAdd(x, d);
        }
        var grads = Run([output], null, false, targets.ContainsKey, destinationOf: t => targets.GetValueOrDefault(t));
        var reached = new bool[inputs.Count];
        using var _ = NoGrad();
        for (int i = 0; i < inputs.Count; i++)
        {
            if (!grads.TryGetValue(inputs[i], out var g)) continue;
            reached[i] = true;
            if (!ReferenceEquals(g, destinations[i])) destinations[i].CopyFrom(g);
        }
        return reached;
    }

    /// <summary>Gradient of a single scalar with respect to several inputs.</summary>
    public static Tensor?[] Grad(Tensor output, IReadOnlyList<Tensor> inputs, bool createGraph = false) =>
        Grad([output], inputs, null, createGraph);

    /// <summary>
    /// Accumulates <c>∂output/∂leaf</c> into <see cref="Tensor.Grad"/> of every leaf that requires
    /// gradients (adding to what is there, like PyTorch). Gradients are values (not recorded).
    /// </summary>
    public static void Backward(Tensor output, Tensor? gradOutput = null)
    {
        // A gradient buffer holding only zeros (after ZeroGrad) is offered to the rule as its destination: the
        // weight GEMM then writes there, instead of into a temporary that is added in (the sum would be the same).
        var grads = Run([output], [gradOutput], false, t => t.IsLeaf && t.RequiresGrad, destinationOf: ZeroGradBuffer);
        using var _ = NoGrad();
        foreach (var (leaf, g) in grads)
        {
            if (ReferenceEquals(g, leaf.Grad)) continue;   // written in place
            if (leaf.Grad is null)
                leaf.Grad = g.CloneUnscoped();
            else
            {
                if (leaf.Grad.Shape != leaf.Shape)
                    throw new ShapeException($"Existing gradient of {Describe(leaf)} has shape {leaf.Grad.Shape}.");
                leaf.Grad.AddInPlace(g);
            }
        }
    }

    /// <summary>The leaf's gradient buffer if it exists, fits, and holds only (positive) zeros.</summary>
    private static Tensor? ZeroGradBuffer(Tensor leaf)
    {
        if (leaf.Grad is not { } g || g.Shape != leaf.Shape || g.DType != leaf.DType) return null;
        var bytes = g.DType == DType.Float32
            ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(g.Floats)
            : System.Runtime.InteropServices.MemoryMarshal.AsBytes(g.Doubles);
        return AllBitsZero(bytes) ? g : null;
    }

    /// <summary>True when every byte is 0 (a vector OR at a time, stopping at the first block that is not:
    /// <c>ContainsAnyExcept(0f)</c> compared floats one by one, 0.9 ms for fmnist_mlp's gradient).</summary>
    private static bool AllBitsZero(ReadOnlySpan<byte> bytes)
    {
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        int w = System.Numerics.Vector<ulong>.Count, i = 0;
        while (i + 16 * w <= words.Length)
        {
            var acc = System.Numerics.Vector<ulong>.Zero;
            for (int k = 0; k < 16; k++, i += w) acc |= new System.Numerics.Vector<ulong>(words.Slice(i, w));
            if (acc != System.Numerics.Vector<ulong>.Zero) return false;
        }
        for (; i < words.Length; i++) if (words[i] != 0) return false;
        for (int b = words.Length * sizeof(ulong); b < bytes.Length; b++) if (bytes[b] != 0) return false;
        return true;
    }

    private static Dictionary<Tensor, Tensor> Run(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor?>? gradOutputs,
        bool createGraph, Func<Tensor, bool> isTarget, bool targetValuesUnused = false,
        Func<Tensor, Tensor?>? destinationOf = null)
    {
        if (gradOutputs is not null && gradOutputs.Count != outputs.Count)
            throw new ArgumentException($"{outputs.Count} outputs but {gradOutputs.Count} output gradients.");
        var order = Relevant(outputs, isTarget, out var relevant);
        // a destination is offered to a rule only when that rule's contribution is the target's whole gradient
        var single = destinationOf is null || createGraph ? null : SingleUse(outputs, order, relevant, isTarget, destinationOf);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        var owned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        using var mode = GradMode.Set(createGraph);

        for (int i = 0; i < outputs.Count; i++)
        {
            var y = outputs[i];
            var gy = gradOutputs?[i];
            if (gy is null)
            {
                if (y.Size != 1)
                    throw new ShapeException($"Backward from a tensor of shape {y.Shape} needs an explicit output gradient (only scalars default to 1).");
                gy = Tensor.Ones(y.Shape, y.DType);
            }
            else if (gy.Shape != y.Shape)
                throw new ShapeException($"Output gradient has shape {gy.Shape} but the output has shape {y.Shape}.");
            if (relevant.Contains(y)) Accumulate(grads, owned, y, gy, createGraph);
        }

        var results = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        for (int k = order.Count - 1; k >= 0; k--)
        {
            var t = order[k];
            if (!grads.TryGetValue(t, out var g)) continue;
            // From here on g is shared: it may be returned as a result and a gradient rule may hand the
            // same tensor on to several inputs (Add, Reshape, AddScalar), so it must never be added into.
            owned.Remove(g);
            if (isTarget(t)) results[t] = g;
            var node = t.GradFn;
            if (node is null) continue;
            var inputs = node.Inputs;
            var needs = new bool[inputs.Length];
            bool any = false;
            for (int i = 0; i < inputs.Length; i++)
                any |= needs[i] = inputs[i].RequiresGrad && relevant.Contains(inputs[i]);
            if (!any) continue;
            bool[]? unused = null;
            if (targetValuesUnused)
            {
                unused = new bool[inputs.Length];
                for (int i = 0; i < inputs.Length; i++) unused[i] = needs[i] && inputs[i].IsLeaf && isTarget(inputs[i]);
            }
            Tensor?[]? into = null;
            if (single is not null)
                for (int i = 0; i < inputs.Length; i++)
                    if (needs[i] && single.TryGetValue(inputs[i], out var destination))
                        (into ??= new Tensor?[inputs.Length])[i] = destination;
            var ig = node.Backward(g, new GradRequest(needs, unused, into));
            for (int i = 0; i < inputs.Length; i++)
            {
                if (!needs[i] || ig[i] is null) continue;
                var gi = ig[i]!;
                if (gi.Shape != inputs[i].Shape)
                    throw new InvalidOperationException($"Gradient rule of {node.Op} returned shape {gi.Shape} for input {i} of shape {inputs[i].Shape}.");
                Accumulate(grads, owned, inputs[i], gi, createGraph);
            }
        }
        return results;
    }

    private static void Accumulate(Dictionary<Tensor, Tensor> grads, HashSet<Tensor> owned, Tensor x, Tensor g, bool createGraph)
    {
        if (!grads.TryGetValue(x, out var existing))
        {
            grads[x] = g;
            return;
        }
        if (!createGraph && owned.Contains(existing))
        {
            existing.AddInPlace(g);
            return;
        }
        var sum = existing + g;
        if (!createGraph) owned.Add(sum);
        grads[x] = sum;
    }

    /// <summary>The targets that exactly one recorded use (one input slot of one relevant node, and not an
    /// output) leads to, with the destination <paramref name="destinationOf"/> gives them (those it gives none
    /// are left out).</summary>
    private static Dictionary<Tensor, Tensor> SingleUse(IReadOnlyList<Tensor> outputs, List<Tensor> order, HashSet<Tensor> relevant,
        Func<Tensor, bool> isTarget, Func<Tensor, Tensor?> destinationOf)
    {
        var uses = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        foreach (var y in outputs)
            if (isTarget(y)) uses[y] = 2;
        foreach (var t in order)
        {
            if (!relevant.Contains(t) || t.GradFn is not { } node) continue;
            foreach (var x in node.Inputs)
                if (isTarget(x)) uses[x] = uses.GetValueOrDefault(x) + 1;
        }
        var single = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (x, n) in uses)
            if (n == 1 && destinationOf(x) is { } d) single[x] = d;
        return single;
    }

    /// <summary>Non-leaf and leaf tensors reachable from the outputs that lead to a target, in
    /// post-order (inputs before the tensors computed from them).</summary>
    private static List<Tensor> Relevant(IReadOnlyList<Tensor> outputs, Func<Tensor, bool> isTarget, out HashSet<Tensor> relevant)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        relevant = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor t, int next)>();
        foreach (var root in outputs)
        {
            if (!root.RequiresGrad || !visited.Add(root)) continue;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (t, next) = stack.Pop();
                var inputs = t.GradFn?.Inputs ?? [];
                if (next < inputs.Length)
                {
                    stack.Push((t, next + 1));
                    var c = inputs[next];
                    if (c.RequiresGrad && visited.Add(c)) stack.Push((c, 0));
                    continue;
                }
                bool rel = isTarget(t);
                foreach (var c in inputs) rel |= relevant.Contains(c);
                if (rel) relevant.Add(t);
                order.Add(t);
            }
        }
        return order;
    }

    internal static string Describe(Tensor t) => t.Name is null ? $"of shape {t.Shape}" : $"'{t.Name}' {t.Shape}";
}
