using System.Numerics;
using Descent.Tensors;

namespace Descent.Optim.Rules;

/// <summary>
/// A momentum buffer (Polyak 1964; Optax's <c>trace</c>, PyTorch SGD's <c>momentum_buffer</c>):
/// <c>b ← μb + (1 − dampening)u</c> (at step 1, <c>b ← u</c>), then <c>u ← b</c>, or with Nesterov
/// (Sutskever et al. 2013) <c>u ← u + μb</c>. Placed before <see cref="ScaleByLearningRate"/> it is PyTorch's
/// SGD momentum; placed after it, <c>b</c> is the course's velocity <c>v ← αv − μg</c>, <c>θ ← θ + v</c>.
/// </summary>
public sealed class Trace(double decay, bool nesterov = false, double dampening = 0) : IUpdateRule
{
    /// <inheritdoc />
    public string Name => nesterov ? "trace(nesterov)" : "trace";

    /// <inheritdoc />
    public RuleState Init(int count, DType dtype) => RuleState.Create(count, dtype, ["momentum_buffer"]);

    /// <inheritdoc />
    public void Update<T>(Span<T> updates, RuleState state, ReadOnlySpan<T> parameters, long step)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var b = state.Span<T>(0);
        T mu = T.CreateTruncating(decay), keep = T.CreateTruncating(1 - dampening);
        for (int i = 0; i < updates.Length; i++)
        {
            b[i] = step == 1 ? updates[i] : mu * b[i] + keep * updates[i];
            updates[i] = nesterov ? updates[i] + mu * b[i] : b[i];
        }
    }
}
