package io.sluice.client;

import io.sluice.broker.SluiceBroker;
import org.agrona.IoUtil;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TestBroker} in a child JVM started from the test class path, so a test can SIGKILL it. The child prints
 * {@code ready <aeron dir>} once it accepts clients; the parent removes that directory after a kill, since a killed
 * driver cannot.
 */
final class TestBrokerProcess implements AutoCloseable
{
    private static final String READY = "ready ";

    private final Process process;
    private final File output;
    private String aeronDirectory;

    private TestBrokerProcess(final Process process, final File output)
    {
        this.process = process;
        this.output = output;
    }

    /**
     * Child entry point: {@code dataDirectory listen}, or {@code dataDirectory brokerId cluster} for a member of a
     * cluster. Runs until killed or until its stdin closes.
     */
    public static void main(final String[] args) throws IOException
    {
        try (SluiceBroker broker = 3 == args.length ?
            SluiceBroker.launch(TestBroker.clusterContext(new File(args[0]), Integer.parseInt(args[1]), args[2])) :
            TestBroker.launch(new File(args[0]), args[1]))
        {
            System.out.println(READY + broker.aeronDirectoryName());
            System.out.flush();
            while (System.in.read() >= 0)
            {
                // the parent holds stdin open for as long as the broker should run
            }
        }
    }

    static TestBrokerProcess start(final File dataDirectory, final String listen, final File workDirectory)
        throws IOException, InterruptedException
    {
        return start(workDirectory, dataDirectory.getPath(), listen);
    }

    /**
     * @param dataDirectory of the broker.
     * @param brokerId      its id in {@code cluster}.
     * @param cluster       {@code ID@HOST:PORT,...}.
     * @param workDirectory for the child's output.
     * @return the running member, ready for clients.
     */
    static TestBrokerProcess startClusterMember(
        final File dataDirectory, final int brokerId, final String cluster, final File workDirectory)
        throws IOException, InterruptedException
    {
        return start(workDirectory, dataDirectory.getPath(), Integer.toString(brokerId), cluster);
    }

    private static TestBrokerProcess start(final File workDirectory, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.add("-Xmx256m");
        command.add("-XX:+UseSerialGC");
        for (final String module : new String[]{ "jdk.internal.misc", "java.util.zip", "java.nio", "sun.nio.ch" })
        {
            command.add("--add-opens=java.base/" + module + "=ALL-UNNAMED");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TestBrokerProcess.class.getName());
        command.addAll(List.of(args));
        final File output = File.createTempFile("broker-", ".out", workDirectory);
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output)
            .start();
        final TestBrokerProcess broker = new TestBrokerProcess(process, output);
        broker.awaitReady(60, TimeUnit.SECONDS);
        return broker;
    }

    private void awaitReady(final long timeout, final TimeUnit unit) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (System.nanoTime() - deadline < 0)
        {
            try (BufferedReader reader = Files.newBufferedReader(output.toPath(), StandardCharsets.UTF_8))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    if (line.startsWith(READY))
                    {
                        aeronDirectory = line.substring(READY.length()).trim();
                        return;
                    }
                }
            }
            if (!process.isAlive())
            {
                throw new IllegalStateException("broker exited (" + process.exitValue() + "): " + output());
            }
            Thread.sleep(50);
        }
        process.destroyForcibly().waitFor();
        throw new IllegalStateException("broker not ready in " + timeout + " " + unit + ": " + output());
    }

    private String output() throws IOException
    {
        return Files.readString(output.toPath(), StandardCharsets.UTF_8);
    }

    /**
     * SIGKILL: the broker gets no chance to flush, close or say goodbye; then its driver's directory is removed.
     */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("broker survived SIGKILL");
        }
        if (null != aeronDirectory)
        {
            IoUtil.delete(new File(aeronDirectory), true);
        }
    }

    public void close() throws Exception
    {
        if (process.isAlive())
        {
            kill();
        }
    }
}
