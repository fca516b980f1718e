package io.sluice.perf.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice perf streams} refuses bad options with exit code 2 before it starts anything, and takes medians of
 * its ratios over several runs.
 */
class StreamsBenchmarkTest
{
    @TempDir
    File directory;

    @Test
    void shouldRefuseBadOptions()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, call(errors, "--records", "0"));
        assertEquals(2, call(errors, "--targets", "sluice-streams,flink"));
        assertEquals(2, call(errors, "--rate"));
        assertEquals(2, call(errors, "--keys", "many"));
        assertEquals(2, call(errors, "--dir", new File(directory, "missing").getPath()));
        assertEquals(2, call(errors, "--colour", "blue"));
        assertEquals(2, call(errors, "--runs", "0"));
        assertEquals(2, call(errors, "--runs", "21"));
        assertEquals(2, call(errors, "--warmup-runs", "-1"));
        assertEquals(2, call(errors, "--histogram-log", new File(directory, "missing").getPath()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown target 'flink'"), err.toString());
    }

    @Test
    void shouldTakeTheMedianOfEachRatioOverTheRuns()
    {
        final List<StreamsBenchmark.Ratio> runs = List.of(
            new StreamsBenchmark.Ratio("s", "k", 2.0, 30, 0.01, 3),
            new StreamsBenchmark.Ratio("s", "k", 3.0, 20, 12.0, 1),
            new StreamsBenchmark.Ratio("s", "k", 1.0, 10, 9.0, 2));
        assertEquals(2.0, StreamsBenchmark.median(runs, StreamsBenchmark.Ratio::throughput));
        assertEquals(9.0, StreamsBenchmark.median(runs, StreamsBenchmark.Ratio::p99), "a stalled run does not decide");
        assertEquals(2.5, StreamsBenchmark.median(runs.subList(0, 2), StreamsBenchmark.Ratio::throughput));
    }

    private static int call(final PrintStream err, final String... args)
    {
        try
        {
            return StreamsBenchmark.execute(args, System.out, err);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }
}
