using System.Collections;
using ClusterWatch.Core.Model;

namespace ClusterWatch.Core.Storage;

/// <summary>Takes one row's values in column order (<see cref="RowMapping"/>): into an array of parameters, or straight
/// into a bulk load's text.</summary>
internal interface IRowWriter
{
    void Text(string value);

    void Integer(int value);

    void Integer(long value);

    void Real(double value);

    /// <summary>Closes the row.</summary>
    void EndRow();
}

/// <summary>
/// The rows of one sample table (<c>samples</c>, <c>user_samples</c> or <c>process_samples</c>) for a batch of node
/// samples: enumerated as arrays (statement parameters), or written straight into an <see cref="IRowWriter"/> by a
/// dialect with a bulk path — no array and no boxed value per row, which for 100,000 rows is most of the client's work.
/// </summary>
internal sealed class SampleRows : IEnumerable<object?[]>
{
    private readonly IReadOnlyList<NodeSample> _samples;
    private readonly Action<IRowWriter, NodeSample> _write;

    private SampleRows(IReadOnlyList<NodeSample> samples, int columns, Func<NodeSample, int> rowsPerSample, Action<IRowWriter, NodeSample> write)
    {
        _samples = samples;
        _write = write;
        Columns = columns;
        Count = samples.Sum(rowsPerSample);
    }

    public static SampleRows Samples(IReadOnlyList<NodeSample> samples) =>
        new(samples, Tables.Samples.Length, _ => 1, (w, s) =>
        {
            RowMapping.Sample(w, s);
            w.EndRow();
        });

    public static SampleRows Users(IReadOnlyList<NodeSample> samples) =>
        new(samples, Tables.UserSamples.Length, s => s.Users.Count, (w, s) =>
        {
            foreach (var u in s.Users)
            {
                RowMapping.User(w, s, u);
                w.EndRow();
            }
        });

    public static SampleRows Processes(IReadOnlyList<NodeSample> samples) =>
        new(samples, Tables.ProcessSamples.Length, s => s.Processes.Count, (w, s) =>
        {
            foreach (var p in s.Processes)
            {
                RowMapping.Process(w, s, p);
                w.EndRow();
            }
        });

    /// <summary>Values per row.</summary>
    public int Columns { get; }

    /// <summary>Rows in all.</summary>
    public int Count { get; }

    public void WriteTo(IRowWriter writer)
    {
        foreach (var s in _samples)
            _write(writer, s);
    }

    public IEnumerator<object?[]> GetEnumerator()
    {
        var rows = new ArrayRows(Columns);
        foreach (var s in _samples)
        {
            _write(rows, s);
            foreach (var r in rows.Done)
                yield return r;
            rows.Done.Clear();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Collects rows as arrays, one sample's rows at a time.</summary>
    private sealed class ArrayRows(int columns) : IRowWriter
    {
        private object?[] _row = new object?[columns];
        private int _at;

        public void Text(string value) => _row[_at++] = value;

        public void Integer(int value) => _row[_at++] = value;

        public void Integer(long value) => _row[_at++] = value;

        public void Real(double value) => _row[_at++] = value;

        public List<object?[]> Done { get; } = [];

        public void EndRow()
        {
            Done.Add(_row);
            _row = new object?[columns];
            _at = 0;
        }
    }
}
