namespace Samsa.Client.Producer;

/// <summary>A growable ring of batches: appends at the tail, retries go back in sequence order at the head.</summary>
internal sealed class BatchDeque
{
    private ProducerBatch[] _items = new ProducerBatch[4];
    private int _head;

    public int Count { get; private set; }

    public ProducerBatch this[int index] => _items[(_head + index) % _items.Length];

    public ProducerBatch? First => Count == 0 ? null : this[0];
    public ProducerBatch? Last => Count == 0 ? null : this[Count - 1];

    public void AddLast(ProducerBatch batch)
    {
        Grow();
        _items[(_head + Count) % _items.Length] = batch;
        Count++;
    }

    public ProducerBatch RemoveFirst()
    {
        var batch = _items[_head];
        _items[_head] = null!;
        _head = (_head + 1) % _items.Length;
        Count--;
        return batch;
    }

    /// <summary>
    /// Puts a retried batch back before every batch with a higher sequence and before every
    /// batch not sent yet, so a partition's batches go out again in their original order.
    /// </summary>
    public void InsertInSequenceOrder(ProducerBatch batch)
    {
        Grow();
        var index = 0;
        while (index < Count && this[index].BaseSequence >= 0 && this[index].BaseSequence < batch.BaseSequence) index++;
        _head = (_head - 1 + _items.Length) % _items.Length;
        Count++;
        for (var i = 0; i < index; i++) _items[(_head + i) % _items.Length] = _items[(_head + i + 1) % _items.Length];
        _items[(_head + index) % _items.Length] = batch;
    }

    private void Grow()
    {
        if (Count < _items.Length) return;
        var grown = new ProducerBatch[_items.Length * 2];
        for (var i = 0; i < Count; i++) grown[i] = this[i];
        _items = grown;
        _head = 0;
    }
}
