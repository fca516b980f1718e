package io.sluice.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code sluice} command in a child JVM, started from the test class path, with its output captured.
 */
final class ChildProcess implements AutoCloseable
{
    private static final String JVM_OPENS = "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED " +
        "--add-opens=java.base/java.util.zip=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED " +
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";

    final Process process;
    private final File stdout;
    private final File stderr;

    private ChildProcess(final Process process, final File stdout, final File stderr)
    {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Start {@code sluice args...}; stdin from {@code input} if not null.
     */
    static ChildProcess start(final File workDirectory, final File input, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        command.addAll(List.of(JVM_OPENS.split(" ")));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SluiceCli.class.getName());
        command.addAll(List.of(args));
        final File stdout = File.createTempFile("child-", ".out", workDirectory);
        final File stderr = File.createTempFile("child-", ".err", workDirectory);
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(workDirectory)
            .redirectOutput(stdout)
            .redirectError(stderr);
        if (null != input)
        {
            builder.redirectInput(input);
        }
        return new ChildProcess(builder.start(), stdout, stderr);
    }

    /**
     * Wait for the process to exit.
     *
     * @return its exit code.
     */
    int await(final long timeout, final TimeUnit unit) throws InterruptedException, IOException
    {
        if (!process.waitFor(timeout, unit))
        {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("child did not exit in " + timeout + " " + unit + "; stderr: " + stderr());
        }
        return process.exitValue();
    }

    /**
     * Wait for a line of stdout that contains {@code text}.
     */
    String awaitLine(final String text, final long timeout, final TimeUnit unit) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (System.nanoTime() < deadline)
        {
            try (BufferedReader reader = Files.newBufferedReader(stdout.toPath(), StandardCharsets.UTF_8))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    if (line.contains(text))
                    {
                        return line;
                    }
                }
            }
            if (!process.isAlive())
            {
                throw new IllegalStateException("child exited (" + process.exitValue() + ") before printing '" +
                    text + "'; stderr: " + stderr());
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no line with '" + text + "' in " + timeout + " " + unit + "; stderr: " +
            stderr());
    }

    String stdout() throws IOException
    {
        return Files.readString(stdout.toPath(), StandardCharsets.UTF_8);
    }

    String stderr() throws IOException
    {
        return Files.readString(stderr.toPath(), StandardCharsets.UTF_8);
    }

    /** SIGKILL: the broker gets no chance to do anything. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
