using System.Globalization;
using System.Text;

namespace Descent.Data;

/// <summary>
/// A numeric table read from a CSV file: column names and the values in row-major order.
/// Numbers use the invariant culture (<c>1.5</c>, <c>-2e-3</c>); fields may be quoted with double
/// quotes (RFC 4180: a doubled quote inside stands for one, separators and newlines inside are
/// kept); lines end in LF or CRLF; blank lines are skipped; the text must be valid UTF-8. Any bad row is one
/// <see cref="DataFormatException"/> naming the file, the line and the problem.
/// </summary>
public sealed class CsvTable
{
    /// <summary>UTF-8 that refuses invalid bytes instead of replacing them (a damaged file must not read as text).</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private CsvTable(string[] columnNames, double[] values, int rowCount)
    {
        ColumnNames = Array.AsReadOnly(columnNames);
        Values = values;
        RowCount = rowCount;
    }

    /// <summary>The column names: from the header, or <c>c0</c>, <c>c1</c>, … without one.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The values, <see cref="RowCount"/> × <see cref="ColumnCount"/>, row-major.</summary>
    public double[] Values { get; }

    /// <summary>Number of data rows (the header not counted).</summary>
    public int RowCount { get; }

    /// <summary>Number of columns.</summary>
    public int ColumnCount => ColumnNames.Count;

    /// <summary>The value at <paramref name="row"/>, <paramref name="column"/>.</summary>
    public double this[int row, int column] => Values[checked(row * ColumnCount + column)];

    /// <summary>
    /// Reads the CSV file at <paramref name="path"/>. With <paramref name="hasHeader"/> the first
    /// record names the columns. NaN and infinite values are rejected unless
    /// <paramref name="allowNonFinite"/> (then <c>nan</c>, <c>inf</c>, <c>-inf</c>, <c>Infinity</c> are read).
    /// </summary>
    /// <exception cref="DataFormatException">The file is missing, empty, or has a bad row; the
    /// message names the file and the line ("data.csv line 7: expected 5 fields, found 4").</exception>
    public static CsvTable Read(string path, bool hasHeader = true, char separator = ',', bool allowNonFinite = false)
    {
        if (separator is '"' or '\r' or '\n')
            throw new ArgumentException("The separator cannot be a quote or a newline.", nameof(separator));
        string text;
        try
        {
            text = File.ReadAllText(path, StrictUtf8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"{path}: cannot read: {e.Message}", e);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException($"{path}: the file is not valid UTF-8 text (bytes {Convert.ToHexString(e.BytesUnknown ?? [])}); save it as UTF-8", e);
        }
        string name = path;
        var records = Parse(text, separator, name);
        if (records.Count == 0) throw new DataFormatException($"{name}: the file is empty");

        string[] columns;
        int first = 0;
        if (hasHeader)
        {
            columns = records[0].Fields.Select(f => f.Trim()).ToArray();
            first = 1;
            if (records.Count == 1) throw new DataFormatException($"{name}: no data rows after the header");
        }
        else
        {
            columns = Enumerable.Range(0, records[0].Fields.Count).Select(i => "c" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        }

        int width = columns.Length, rows = records.Count - first;
        var values = new double[checked(rows * width)];
        for (int r = 0; r < rows; r++)
        {
            var (line, fields) = records[first + r];
            if (fields.Count != width)
                throw new DataFormatException($"{name} line {line}: expected {width} fields, found {fields.Count}");
            for (int c = 0; c < width; c++)
                values[r * width + c] = ParseNumber(fields[c], allowNonFinite, name, line, c, columns[c]);
        }
        return new CsvTable(columns, values, rows);
    }

    /// <summary>
    /// Reads a CSV file and splits off the column called <paramref name="labelColumn"/> as the labels.
    /// </summary>
    /// <exception cref="DataFormatException">The file is bad, or has no (or more than one) such column.</exception>
    public static CsvLabeledData ReadLabeled(string path, string labelColumn, char separator = ',', bool allowNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(labelColumn);
        var table = Read(path, hasHeader: true, separator, allowNonFinite);
        var matches = Enumerable.Range(0, table.ColumnCount).Where(i => table.ColumnNames[i] == labelColumn).ToArray();
        if (matches.Length != 1)
        {
            string problem = matches.Length == 0 ? "no column" : $"{matches.Length} columns";
            throw new DataFormatException(
                $"{path}: {problem} named '{labelColumn}'; the columns are {string.Join(", ", table.ColumnNames)}");
        }
        return table.Split(matches[0]);
    }

    /// <summary>
    /// Reads a CSV file and splits off column <paramref name="labelColumn"/> (0-based; negative
    /// counts from the end, so -1 is the last column) as the labels.
    /// </summary>
    /// <exception cref="DataFormatException">The file is bad, or has no such column.</exception>
    public static CsvLabeledData ReadLabeled(string path, int labelColumn, bool hasHeader = true, char separator = ',',
        bool allowNonFinite = false)
    {
        var table = Read(path, hasHeader, separator, allowNonFinite);
        int index = labelColumn < 0 ? table.ColumnCount + labelColumn : labelColumn;
        if (index < 0 || index >= table.ColumnCount)
            throw new DataFormatException(
                $"{path}: label column {labelColumn} is out of range; the file has {table.ColumnCount} columns");
        return table.Split(index);
    }

    /// <summary>Splits column <paramref name="label"/> off as labels, the rest as features.</summary>
    public CsvLabeledData Split(int label)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, ColumnCount);
        int width = ColumnCount, featureCount = width - 1;
        var features = new double[RowCount * featureCount];
        var labels = new double[RowCount];
        for (int r = 0; r < RowCount; r++)
        {
            var row = Values.AsSpan(r * width, width);
            labels[r] = row[label];
            row[..label].CopyTo(features.AsSpan(r * featureCount));
            row[(label + 1)..].CopyTo(features.AsSpan(r * featureCount + label));
        }
        var names = ColumnNames.Where((_, i) => i != label).ToArray();
        return new CsvLabeledData(names, ColumnNames[label], features, labels, RowCount);
    }

    private static double ParseNumber(string field, bool allowNonFinite, string name, int line, int column, string columnName)
    {
        string s = field.Trim();
        string where = $"{name} line {line}, column {column + 1} ('{OneLine(columnName)}')";
        if (s.Length == 0) throw new DataFormatException($"{where}: empty value");
        double value;
        string lower = s.ToLowerInvariant();
        if (lower is "nan" or "+nan" or "-nan") value = double.NaN;
        else if (lower is "inf" or "+inf" or "infinity" or "+infinity") value = double.PositiveInfinity;
        else if (lower is "-inf" or "-infinity") value = double.NegativeInfinity;
        else if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            throw new DataFormatException($"{where}: '{OneLine(s)}' is not a number");
        if (!allowNonFinite && !double.IsFinite(value))
            throw new DataFormatException($"{where}: '{OneLine(s)}' is not a finite number (pass allowNonFinite to accept NaN and infinities)");
        return value;
    }

    private static string OneLine(string s) => s.ReplaceLineEndings("\\n");

    /// <summary>Splits <paramref name="text"/> into records (with the line each starts on),
    /// skipping blank lines.</summary>
    private static List<(int Line, List<string> Fields)> Parse(string text, char separator, string name)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, i = 0;
        bool quotedField = false;
        while (i <= text.Length)
        {
            bool end = i == text.Length;
            char ch = end ? '\n' : text[i];
            if (ch == '"' && field.Length == 0 && !quotedField)
            {
                quotedField = true;
                int startLine = line;
                i++;
                while (true)
                {
                    if (i >= text.Length) throw new DataFormatException($"{name} line {startLine}: unterminated quoted field");
                    char q = text[i++];
                    if (q == '"')
                    {
                        if (i < text.Length && text[i] == '"') { field.Append('"'); i++; }
                        else break;
                    }
                    else
                    {
                        if (q == '\n') line++;
                        field.Append(q);
                    }
                }
                if (i < text.Length && text[i] != separator && text[i] != '\r' && text[i] != '\n')
                    throw new DataFormatException($"{name} line {line}: unexpected '{text[i]}' after a closing quote");
                continue;
            }
            if (ch == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
                quotedField = false;
            }
            else if (ch is '\n' or '\r')
            {
                bool blank = fields.Count == 0 && field.Length == 0 && !quotedField;
                if (!blank)
                {
                    fields.Add(field.ToString());
                    records.Add((recordLine, fields));
                    fields = [];
                }
                field.Clear();
                quotedField = false;
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                line++;
                recordLine = line;
            }
            else
            {
                field.Append(ch);
            }
            i++;
        }
        return records;
    }
}

/// <summary>Features and labels split from a <see cref="CsvTable"/>.</summary>
/// <param name="FeatureNames">The names of the feature columns, in file order.</param>
/// <param name="LabelName">The name of the label column.</param>
/// <param name="Features">The features, <paramref name="RowCount"/> × <c>FeatureNames.Length</c>, row-major.</param>
/// <param name="Labels">The labels, one per row.</param>
/// <param name="RowCount">Number of rows.</param>
public sealed record CsvLabeledData(string[] FeatureNames, string LabelName, double[] Features, double[] Labels, int RowCount)
{
    /// <summary>Number of feature columns.</summary>
    public int FeatureCount => FeatureNames.Length;
}
