package io.sluice.perf.e2e;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short {@code streams} run of every side, two rounds: each delivers one output per input, in both phases, in
 * each round (Kafka's broker serving both, with each round's own topics and application), and the report has a row
 * and the ratios (about 50 s on 2 cores, most of it Kafka's start).
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
            "--partitions", "2", "--runs", "2", "--dir", directory.getPath() },
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        final String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode, report + err.toString(StandardCharsets.UTF_8));
        for (final String side : StreamsBenchmark.Options.TARGETS)
        {
            final Matcher latency = Pattern.compile(side + ": latency of ([0-9,]+) inputs").matcher(report);
            for (int round = 1; round <= 2; round++)
            {
                assertTrue(latency.find(), "round " + round + ": " + report);
                assertEquals(1000, Integer.parseInt(latency.group(1).replace(",", "")),
                    "2 s at 500/s measured, every output counted once: " + report);
            }
            assertTrue(report.contains(side + ": throughput "), report);
        }
        assertEquals(1, report.split("kept for every round", -1).length - 1,
            "Kafka's broker started once, for both rounds: " + report);
        assertTrue(report.contains("sluice-streams / kafka-streams: throughput"), report);
        assertTrue(report.contains("sluice-streams-backoff / kafka-streams: throughput"), report);
        assertEquals(0, directory.list().length, "the brokers' directories are deleted");
    }

    @Test
    void shouldRunEverySideEachRoundAndPrintTheMedianRatios() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final File logs = new File(directory, "hlog");
        assertTrue(logs.mkdir());
        final File brokers = new File(directory, "brokers");
        assertTrue(brokers.mkdir());
        final int exitCode = StreamsBenchmark.execute(new String[]{
            "--targets", "sluice-streams,sluice-streams-backoff", "--warmup-runs", "1", "--runs", "2",
            "--records", "1000", "--rate", "500", "--histogram-log", logs.getPath(),
            "--duration-s", "1", "--warmup-s", "1", "--keys", "20", "--dir", brokers.getPath() },
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

        // Each side and round logged its latency phase (2 s at 500/s, warm-up included) by second, under both tags.
        for (int round = 1; round <= 3; round++)
        {
            final File log = new File(logs, "sluice-streams-round-" + round + ".hlog");
            final Map<String, Long> counts = new HashMap<>();
            final HistogramLogReader reader = new HistogramLogReader(log);
            EncodableHistogram interval;
            while (null != (interval = reader.nextIntervalHistogram()))
            {
                counts.merge(interval.getTag(), ((Histogram)interval).getTotalCount(), Long::sum);
            }
            assertEquals(1000L, counts.get(StreamsBenchmark.OUTPUT_TAG), log + ": " + counts);
            assertEquals(1000L, counts.get(StreamsBenchmark.PROCESSED_TAG), log + ": " + counts);
            assertEquals(1000L, counts.get(StreamsBenchmark.SENT_TAG), log + ": " + counts);
            final String text = java.nio.file.Files.readString(log.toPath());
            assertTrue(text.contains("#sync after the throughput phase done in"), log + ": no sync before the latency phase");
            assertTrue(text.indexOf("#sync after") < text.indexOf("#latency phase"), log + ": the sync comes first");
            final java.util.regex.Matcher progress =
                java.util.regex.Pattern.compile("#throughput phase: outputs per 50 ms[^:]*: ([0-9 ]+)").matcher(text);
            assertTrue(progress.find(), log + ": no throughput phase progress");
            assertEquals(1000L, java.util.Arrays.stream(progress.group(1).trim().split(" "))
                .mapToLong(Long::parseLong).sum(), log + ": the progress counts every preloaded record's output once");
        }
        assertTrue(new File(logs, "sluice-streams-backoff-round-3.hlog").isFile());
    }
}
