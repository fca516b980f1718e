package io.sluice.perf.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short {@code streams} run of every side: each delivers one output per input, in both phases, and the report
 * has a row and the ratios (about 40 s on 2 cores, most of it Kafka's start).
 */
class StreamsBenchmarkIT
{
    @TempDir
    File directory;

    @Test
    void shouldCountEveryInputOnEachSideAndPrintTheRatios() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int exitCode = StreamsBenchmark.execute(new String[]{
            "--records", "3000", "--rate", "500", "--duration-s", "2", "--warmup-s", "1", "--keys", "50",
            "--partitions", "2", "--dir", directory.getPath() }, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

        final String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode, report + err.toString(StandardCharsets.UTF_8));
        for (final String side : StreamsBenchmark.Options.TARGETS)
        {
            final Matcher latency = Pattern.compile(side + ": latency of ([0-9,]+) inputs").matcher(report);
            assertTrue(latency.find(), report);
            assertEquals(1000, Integer.parseInt(latency.group(1).replace(",", "")), "2 s at 500/s measured: " + report);
            assertTrue(report.contains(side + ": throughput "), report);
        }
        assertTrue(report.contains("sluice-streams / kafka-streams: throughput"), report);
        assertTrue(report.contains("sluice-streams-backoff / kafka-streams: throughput"), report);
        assertEquals(0, directory.list().length, "the brokers' directories are deleted");
    }

    @Test
    void shouldRunEverySideEachRoundAndPrintTheMedianRatios() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int exitCode = StreamsBenchmark.execute(new String[]{
            "--targets", "sluice-streams,sluice-streams-backoff", "--warmup-runs", "1", "--runs", "2",
            "--records", "1000", "--rate", "500",
            "--duration-s", "1", "--warmup-s", "1", "--keys", "20", "--dir", directory.getPath() },
            new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        final String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode, report);
        assertTrue(report.contains("warm-up run 1 of 1 (not counted)"), report);
        assertTrue(report.contains("run 2 of 2"), report);
        final Matcher ratios = Pattern.compile("sluice-streams-backoff / sluice-streams: throughput").matcher(report);
        int count = 0;
        while (ratios.find())
        {
            count++;
        }
        assertEquals(4, count, "a ratio per run, the warm-up's included, and the median of the counted two: " + report);
        assertTrue(report.contains("medians over 2 runs:"), report);
    }
}
