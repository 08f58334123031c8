using Descent.Tensors;

namespace Descent.Autograd;

/// <summary>
/// Computes the gradients of an operation's inputs from the gradient of its output. It must use
/// tensor operations only, so that with recording on the gradient is itself differentiable.
/// <paramref name="request"/> says which inputs want a gradient (return null for the others) and which of
/// those gradients will only be differentiated further, never read (<see cref="GradRequest.ValueUnused"/>).
/// </summary>
internal delegate Tensor?[] BackwardFn(Tensor gradOutput, GradRequest request);

/// <summary>
/// What a backward pass asks of one gradient rule: which inputs need a gradient (<c>request[i]</c>) and, for
/// a Hessian-vector product's first pass, which of those gradients the caller will only differentiate
/// again and never read, so that the rule may record them without computing their values (MatMul then skips
/// a GEMM). Part of the rule's arguments, so nothing about it is hidden in thread state.
/// </summary>
internal readonly struct GradRequest
{
    private readonly bool[] needs;
    private readonly bool[]? valueUnused;
    private readonly Tensor?[]? into;

    public GradRequest(bool[] needs, bool[]? valueUnused = null, Tensor?[]? into = null)
    {
        this.needs = needs;
        this.valueUnused = valueUnused;
        this.into = into;
    }

    /// <summary>True if input <paramref name="input"/> needs a gradient.</summary>
    public bool this[int input] => needs[input];

    /// <summary>Number of inputs.</summary>
    public int Count => needs.Length;

    /// <summary>True if the gradient for <paramref name="input"/> will only be differentiated, never read:
    /// the rule may record it without computing its value.</summary>
    public bool ValueUnused(int input) => valueUnused is { } u && input < u.Length && u[input];

    /// <summary>A tensor of the input's shape that the rule may write the gradient of <paramref name="input"/>
    /// into and return, instead of a new tensor (the caller's gradient buffer: <see cref="Autodiff.GradInto"/>);
    /// null when none is offered. Offered only when gradients are not recorded and this rule's contribution is
    /// the input's whole gradient.</summary>
    public Tensor? Into(int input) => into is { } t && input < t.Length ? t[input] : null;
}

/// <summary>One recorded operation: its name, inputs and gradient rule.</summary>
internal sealed class Node
{
    public Node(string op, Tensor[] inputs, BackwardFn backward)
    {
        Op = op;
        Inputs = inputs;
        Backward = backward;
    }

    public string Op { get; }

    public Tensor[] Inputs { get; }

    public BackwardFn Backward { get; }

    public override string ToString() => Op;
}
