using Descent.Tensors;

namespace Descent.Autograd;

/// <summary>
/// Computes the gradients of an operation's inputs from the gradient of its output. It must use
/// tensor operations only, so that with recording on the gradient is itself differentiable.
/// <paramref name="needs"/> says which inputs want a gradient; return null for the others.
/// </summary>
internal delegate Tensor?[] BackwardFn(Tensor gradOutput, bool[] needs);

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
