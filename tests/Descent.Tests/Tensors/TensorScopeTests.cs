using Descent.Autograd;
using Descent.Tensors;

namespace Descent.Tests.Tensors;

/// <summary>Scoped tensors: memory goes back to the pool at the end of a scope, escaped tensors stay,
/// and a repeated training step stops allocating large arrays.</summary>
[Collection(nameof(TensorPoolCollection))]
public class TensorScopeTests
{
    private const int Big = 4096;   // above TensorPool.MinPooledLength, so pooled

    [Fact]
    public void TensorsCreatedInsideAreReleasedAndThenThrow()
    {
        Tensor inside, view, small;
        using (var scope = TensorScope.Begin())
        {
            inside = Tensor.Ones(new Shape(Big));
            view = inside.Reshape(64, 64);
            small = Tensor.Ones(new Shape(8));   // small arrays are left to the GC
            Assert.True(scope.RentedCount >= 1);
            Assert.Same(scope, TensorScope.Current);
        }
        Assert.Null(TensorScope.Current);
        Assert.Throws<ObjectDisposedException>(() => inside[0]);
        Assert.Throws<ObjectDisposedException>(() => inside.Floats.Length);
        Assert.Throws<ObjectDisposedException>(() => view.ToArray());
        Assert.Throws<ObjectDisposedException>(() => inside + inside);
        Assert.Contains("released", inside.ToString());
        Assert.Equal(8, small.Sum().Item());
    }

    [Fact]
    public void ReleasedArraysAreReusedByTheNextScope()
    {
        float[] first;
        using (TensorScope.Begin())
            first = Tensor.Zeros(new Shape(Big + 3)).FloatArray;
        using (TensorScope.Begin())
            Assert.Same(first, Tensor.Zeros(new Shape(Big + 3)).FloatArray);
    }

    [Fact]
    public void EscapedTensorsSurvive()
    {
        Tensor kept;
        using (TensorScope.Begin())
        {
            kept = (Tensor.Ones(new Shape(Big)) * 3).Escape();
            _ = Tensor.Zeros(new Shape(Big));
        }
        Assert.Equal(3.0 * Big, kept.Sum().Item());
        // The escaped array is not handed out again.
        using (TensorScope.Begin())
        {
            var other = Tensor.Full(new Shape(Big), 5);
            Assert.False(other.SharesStorageWith(kept));
        }
        Assert.Equal(3.0 * Big, kept.Sum().Item());
    }

    [Fact]
    public void NestedScopesReleaseInnerTensorsFirst()
    {
        using var outer = TensorScope.Begin();
        var a = Tensor.Ones(new Shape(Big));
        Tensor b;
        using (TensorScope.Begin()) b = Tensor.Ones(new Shape(Big));
        Assert.Throws<ObjectDisposedException>(() => b[0]);
        Assert.Equal(Big, a.Sum().Item());
    }

    [Fact]
    public void DisposingScopesOutOfOrderThrows()
    {
        var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
        Assert.Null(TensorScope.Current);
    }

    [Fact]
    public void RepeatedScopedStepsStopAllocatingLargeArrays()
    {
        var rng = new Rng(1);
        var x = Tensor.Randn(new Shape(64, 64), rng);
        var w1 = Tensor.Randn(new Shape(64, 64), rng, std: 0.1).RequireGrad();
        var w2 = Tensor.Randn(new Shape(64, 64), rng, std: 0.1).RequireGrad();
        double loss = 0;
        void Step()
        {
            using var scope = TensorScope.Begin();
            var h = x.MatMul(w1).Tanh();
            var y = h.MatMul(w2).LogSoftmax(1);
            var l = -(y * y.Exp()).Sum(1).Mean() + (h * h).Mean();
            l.Backward();
            loss = l.Item();
        }
        Step();                                  // fills the pool (and creates w.Grad)
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // One step creates ~20 temporaries of 64·64 floats (16 KiB each, > 300 KiB in all); only
        // bookkeeping objects (tensors, graph nodes, closures) may be new.
        Assert.True(allocated < 64 * 1024, $"second step allocated {allocated} bytes");
        Assert.True(double.IsFinite(loss));
        // Gradients of leaves live outside the scope.
        Assert.True(w1.Grad!.AllFinite() && w2.Grad!.AllFinite());
    }
}

/// <summary>Tests that observe the shared <see cref="TensorPool"/> run one at a time.</summary>
[CollectionDefinition(nameof(TensorPoolCollection), DisableParallelization = true)]
public class TensorPoolCollection;
