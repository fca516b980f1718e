package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

import java.io.File;
import java.io.FileNotFoundException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Latencies split by second into a tagged HdrHistogram interval log: one {@link Recorder} per tag, taken by a thread
 * of its own once a second and written as one histogram per tag and interval, so a stall shows where it happened
 * instead of vanishing into a run's percentiles. Recording is wait-free, from any thread. Read the log with
 * HdrHistogram's {@code HistogramLogProcessor} ({@code -tag T}; values in nanoseconds, the max column in
 * milliseconds). Unlike {@link IntervalLog}, which the harness feeds from its own phases, this one samples on a clock
 * of its own, for benchmarks whose records arrive on threads they do not own.
 */
final class TaggedIntervalLog implements AutoCloseable
{
    private static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final String[] tags;
    private final long highestTrackable;
    private final Recorder[] recorders;
    private final HistogramLogWriter writer;
    private final Thread thread;
    private volatile boolean running = true;
    /** One per recorder: a recorder only takes back its own histograms. */
    private final Histogram[] recycled;

    /**
     * Open the file and start the writing thread; the log's base time is now.
     *
     * @param file             to write, replaced if it exists.
     * @param highestTrackable largest value kept; larger ones are recorded as this.
     * @param tags             one per recorder, in the order {@link #record(int, long)} numbers them.
     * @throws FileNotFoundException if the file cannot be written.
     */
    TaggedIntervalLog(final File file, final long highestTrackable, final String... tags) throws FileNotFoundException
    {
        this.tags = tags.clone();
        this.highestTrackable = highestTrackable;
        recorders = new Recorder[tags.length];
        recycled = new Histogram[tags.length];
        for (int i = 0; i < tags.length; i++)
        {
            recorders[i] = new Recorder(highestTrackable, 3);
        }
        writer = new HistogramLogWriter(file);
        final long nowMs = System.currentTimeMillis();
        writer.setBaseTime(nowMs);
        writer.outputLogFormatVersion();
        writer.outputStartTime(nowMs);
        writer.outputBaseTime(nowMs);
        writer.outputLegend();
        thread = new Thread(this::run, "tagged-interval-log");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @param tag   index of the tag, as given to the constructor.
     * @param value to record, clamped to 0 and the highest trackable value.
     */
    void record(final int tag, final long value)
    {
        recorders[tag].recordValue(Math.min(Math.max(0, value), highestTrackable));
    }

    /**
     * @param comment written as a {@code #} line between the intervals, such as where a phase begins.
     */
    void comment(final String comment)
    {
        synchronized (writer)
        {
            writer.outputComment(comment);
        }
    }

    private void run()
    {
        long nextNs = System.nanoTime() + INTERVAL_NS;
        while (running)
        {
            final long waitNs = nextNs - System.nanoTime();
            if (waitNs > 0)
            {
                LockSupport.parkNanos(waitNs);
                continue;
            }
            writeIntervals();
            nextNs += INTERVAL_NS;
        }
    }

    private void writeIntervals()
    {
        synchronized (writer)
        {
            for (int i = 0; i < recorders.length; i++)
            {
                recycled[i] = recorders[i].getIntervalHistogram(recycled[i]);
                recycled[i].setTag(tags[i]);
                writer.outputIntervalHistogram(recycled[i]);
            }
        }
    }

    /**
     * Stop the thread, write the last partial interval and close the file.
     */
    public void close() throws InterruptedException
    {
        running = false;
        LockSupport.unpark(thread);
        thread.join();
        writeIntervals();
        writer.close();
    }
}
