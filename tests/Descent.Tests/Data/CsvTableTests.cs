using Descent.Data;

namespace Descent.Tests.Data;

public sealed class CsvTableTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("descent-csv-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private DataFormatException Fails(string name, string text, bool hasHeader = true)
    {
        string path = Write(name, text);
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Read(path, hasHeader));
        Assert.Contains(name, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void GoodFileWithHeaderReads()
    {
        var t = CsvTable.Read(Write("good.csv", "x,y,z\n1,2,3\n-4.5,5e-1, 6 \n"));
        Assert.Equal(["x", "y", "z"], t.ColumnNames);
        Assert.Equal((2, 3), (t.RowCount, t.ColumnCount));
        Assert.Equal([1, 2, 3, -4.5, 0.5, 6], t.Values);
        Assert.Equal(0.5, t[1, 1]);
    }

    [Fact]
    public void FileWithoutHeaderGetsNumberedColumns()
    {
        var t = CsvTable.Read(Write("plain.csv", "1;2\n3;4"), hasHeader: false, separator: ';');
        Assert.Equal(["c0", "c1"], t.ColumnNames);
        Assert.Equal([1, 2, 3, 4], t.Values);
    }

    [Fact]
    public void QuotedFieldsCrlfAndBlankLinesAreHandled()
    {
        string text = "\"a, b\",\"say \"\"hi\"\"\",\"multi\nline\"\r\n\"1\",2,3\r\n\r\n4,\"5\",6\r\n";
        var t = CsvTable.Read(Write("quoted.csv", text));
        Assert.Equal(["a, b", "say \"hi\"", "multi\nline"], t.ColumnNames);
        Assert.Equal([1, 2, 3, 4, 5, 6], t.Values);
    }

    [Fact]
    public void BadRowNamesItsLine()
    {
        var e = Fails("data.csv", "a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5\n\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n");
        Assert.EndsWith("data.csv line 7: expected 5 fields, found 4", e.Message);
    }

    [Fact]
    public void LineNumbersCountNewlinesInsideQuotes()
    {
        var e = Fails("lines.csv", "\"a\nb\",c\n1,2\nx,3\n");
        Assert.EndsWith("lines.csv line 4, column 1 ('a\\nb'): 'x' is not a number", e.Message);
    }

    [Fact]
    public void NonNumericValueIsRejected()
    {
        var e = Fails("words.csv", "x,age\n1,2\n3,abc\n");
        Assert.EndsWith("words.csv line 3, column 2 ('age'): 'abc' is not a number", e.Message);
        Assert.Contains("line 2, column 1 ('x'): empty value", Fails("hole.csv", "x,y\n,1\n").Message);
    }

    [Fact]
    public void EmptyFilesAndHeaderOnlyFilesAreRejected()
    {
        Assert.EndsWith("the file is empty", Fails("empty.csv", "").Message);
        Assert.EndsWith("the file is empty", Fails("blank.csv", "\r\n\n").Message);
        Assert.EndsWith("no data rows after the header", Fails("header.csv", "a,b\n").Message);
    }

    [Fact]
    public void UnterminatedQuoteIsRejected()
    {
        Assert.EndsWith("open.csv line 2: unterminated quoted field", Fails("open.csv", "a,b\n\"1,2\n").Message);
        Assert.Contains("after a closing quote", Fails("after.csv", "a,b\n\"1\"x,2\n").Message);
    }

    [Fact]
    public void NonFiniteValuesNeedPermission()
    {
        string path = Write("nan.csv", "a,b,c\nNaN,inf,-Infinity\n");
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Read(path));
        Assert.Contains("nan.csv line 2, column 1 ('a'): 'NaN' is not a finite number", e.Message);
        var t = CsvTable.Read(path, allowNonFinite: true);
        Assert.True(double.IsNaN(t.Values[0]));
        Assert.Equal(double.PositiveInfinity, t.Values[1]);
        Assert.Equal(double.NegativeInfinity, t.Values[2]);
        Assert.Contains("'1e999' is not a finite number", Fails("overflow.csv", "a\n1e999\n").Message);
    }

    [Fact]
    public void LabelColumnIsSplitOffByNameOrIndex()
    {
        string path = Write("labeled.csv", "x1,y,x2\n1,10,2\n3,20,4\n");
        var byName = CsvTable.ReadLabeled(path, "y");
        Assert.Equal(["x1", "x2"], byName.FeatureNames);
        Assert.Equal("y", byName.LabelName);
        Assert.Equal([1, 2, 3, 4], byName.Features);
        Assert.Equal([10, 20], byName.Labels);
        Assert.Equal((2, 2), (byName.RowCount, byName.FeatureCount));
        var last = CsvTable.ReadLabeled(path, -1);
        Assert.Equal([2, 4], last.Labels);
        Assert.Equal([1, 10, 3, 20], last.Features);
        Assert.Contains("no column named 'label'", Assert.Throws<DataFormatException>(() => CsvTable.ReadLabeled(path, "label")).Message);
        Assert.Contains("label column 3 is out of range", Assert.Throws<DataFormatException>(() => CsvTable.ReadLabeled(path, 3)).Message);
    }

    [Fact]
    public void MissingFileIsADataFormatError() =>
        Assert.Contains("missing.csv", Assert.Throws<DataFormatException>(() => CsvTable.Read(Path.Combine(dir, "missing.csv"))).Message);

    [Fact]
    public void InvalidUtf8_IsRefused_NotReadAsReplacementCharacters()
    {
        // Found by the fuzz campaign: a damaged byte in the header used to become U+FFFD in a column name.
        string path = Path.Combine(dir, "bad-utf8.csv");
        File.WriteAllBytes(path, [(byte)'a', 0xFF, (byte)',', (byte)'b', (byte)'\n', (byte)'1', (byte)',', (byte)'2', (byte)'\n']);
        var e = Assert.Throws<DataFormatException>(() => CsvTable.Read(path));
        Assert.Contains("bad-utf8.csv: the file is not valid UTF-8 text (bytes FF)", e.Message);
    }
}
