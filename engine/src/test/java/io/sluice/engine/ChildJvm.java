package io.sluice.engine;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running a main class of the test classpath, for tests that need another process: one that is killed
 * mid-write, or one that competes for a lock. Same {@code java} binary and classpath as the test JVM.
 * <p>
 * Its standard output is read on a thread of its own into a queue of complete lines (a line cut short by the death
 * of the process is dropped); its standard error goes to a file, shown when a test fails. {@link #close()} kills
 * the process with SIGKILL if it still runs and stops the reading thread, so a test can call it in a finally block.
 */
final class ChildJvm implements AutoCloseable
{
    static final List<String> JVM_FLAGS = List.of(
        "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Xmx256m");
    private static final long STOP_TIMEOUT_SECONDS = 30;

    private final String name;
    private final Process process;
    private final File stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread stdoutReader;
    private volatile boolean endOfStream;

    private ChildJvm(final String name, final Process process, final File stderr)
    {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.stdoutReader = new Thread(this::readStdout, name + "-stdout");
        this.stdoutReader.setDaemon(true);
        this.stdoutReader.start();
    }

    /**
     * Start {@code mainClass} in a new JVM.
     *
     * @param mainClass with a {@code main(String[])}.
     * @param stderr    file to receive the child's standard error.
     * @param args      of the main method.
     * @return the running child.
     */
    static ChildJvm start(final Class<?> mainClass, final File stderr, final String... args)
    {
        final String java = ProcessHandle.current().info().command()
            .orElseThrow(() -> new IllegalStateException("cannot find the java binary of this JVM"));
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(stderr))
                .start();
            return new ChildJvm(mainClass.getSimpleName(), process, stderr);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
    }

    /**
     * The next complete line of standard output.
     *
     * @param timeoutSeconds to wait for it: a generous bound that fails the test instead of hanging it.
     * @return the line, or null once the stream ended and every line was taken.
     * @throws AssertionError if no line came in time.
     */
    String nextLine(final long timeoutSeconds) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true)
        {
            final String line = lines.poll(10, TimeUnit.MILLISECONDS);
            if (null != line)
            {
                return line;
            }
            if (endOfStream && lines.isEmpty())
            {
                return null;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError(name + " wrote no line in " + timeoutSeconds + " s; alive=" +
                    process.isAlive() + "; stderr:\n" + stderr());
            }
        }
    }

    /**
     * Every line written before the stream ended; call after the process died.
     *
     * @return the remaining lines, in order.
     */
    List<String> remainingLines() throws InterruptedException
    {
        final List<String> rest = new ArrayList<>();
        for (String line = nextLine(STOP_TIMEOUT_SECONDS); null != line; line = nextLine(STOP_TIMEOUT_SECONDS))
        {
            rest.add(line);
        }
        return rest;
    }

    /**
     * Wait for the process to exit by itself.
     *
     * @return its exit status.
     * @throws AssertionError if it is still running after the timeout.
     */
    int waitForExit(final long timeoutSeconds) throws InterruptedException
    {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
        {
            throw new AssertionError(name + " still running after " + timeoutSeconds + " s; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /**
     * Kill with SIGKILL ({@link Process#destroyForcibly()} on Linux) and wait for the death.
     *
     * @return the exit status, 137 for a process that SIGKILL ended.
     */
    int kill() throws InterruptedException
    {
        process.destroyForcibly();
        return waitForExit(STOP_TIMEOUT_SECONDS);
    }

    /** @return the child's standard error so far. */
    String stderr()
    {
        try
        {
            final String text = Files.readString(stderr.toPath(), StandardCharsets.UTF_8);
            return text.length() > 20_000 ? "..." + text.substring(text.length() - 20_000) : text;
        }
        catch (final IOException ex)
        {
            return "(cannot read " + stderr + ": " + ex + ")";
        }
    }

    public void close() throws InterruptedException
    {
        process.destroyForcibly();
        final boolean exited = process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        stdoutReader.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
        if (stdoutReader.isAlive())
        {
            try
            {
                process.getInputStream().close();
            }
            catch (final IOException ignore)
            {
                // the reader ends either way once the stream is gone
            }
            stdoutReader.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
        }
        if (!exited || stdoutReader.isAlive())
        {
            throw new AssertionError(name + " could not be stopped: exited=" + exited +
                ", reader alive=" + stdoutReader.isAlive());
        }
    }

    private void readStdout()
    {
        final StringBuilder line = new StringBuilder();
        try (InputStream in = new BufferedInputStream(process.getInputStream(), 64 * 1024))
        {
            int b;
            while ((b = in.read()) >= 0)
            {
                if ('\n' == b)
                {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                else
                {
                    line.append((char)b);
                }
            }
        }
        catch (final IOException ignore)
        {
            // the stream was closed by close(): end of output
        }
        finally
        {
            endOfStream = true;
        }
    }
}
