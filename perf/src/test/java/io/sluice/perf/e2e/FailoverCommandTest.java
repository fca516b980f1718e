package io.sluice.perf.e2e;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailoverCommandTest
{
    @TempDir
    File directory;

    @ParameterizedTest
    @ValueSource(strings = {
        "--kills 0", "--kills many", "--rate 0", "--rate 200000", "--partitions 0", "--session-timeout-ms 50",
        "--broker-timeout-ms 100", "--settle 5x", "--segment-bytes 1000", "--segment-bytes 2g", "--colour red", "--name a/b", "--name .hidden", "--kills" })
    void shouldExitWithUsageAndStartNothingWhenArgumentsAreBad(final String line)
    {
        final File results = new File(directory, "results");
        final File scratch = new File(directory, "scratch");
        final String[] options = (line + " --results " + results.getPath() + " --dir " + scratch.getPath())
            .split(" ");
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        final int exitCode = FailoverCommand.execute(options, new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, exitCode, err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Usage:"), err.toString(StandardCharsets.UTF_8));
        assertTrue(!results.exists() && !scratch.exists(), "nothing is created for bad arguments");
    }

    @ParameterizedTest
    @ValueSource(strings = { "--help", "-h" })
    void shouldDocumentTheClusterTimeoutsWhenAskedForHelp(final String help)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        final int exitCode = FailoverCommand.execute(new String[]{ help },
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));

        final String usage = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode);
        assertTrue(usage.contains("--session-timeout-ms") && usage.contains("default " +
            FailoverCommand.SESSION_TIMEOUT_MS_DEFAULT), usage);
        assertTrue(usage.contains("--broker-timeout-ms") && usage.contains("default " +
            FailoverCommand.BROKER_TIMEOUT_MS_DEFAULT), usage);
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2, 3, 4, 10 })
    void shouldTakeTheNearestRankAsTheMedian(final int count)
    {
        final double[] values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = count - i; // descending: the p50 must sort
        }
        final double[] copy = values.clone();

        assertEquals(Math.ceil(count / 2.0), FailoverRun.p50(values));
        assertArrayEquals(copy, values);
    }
}
