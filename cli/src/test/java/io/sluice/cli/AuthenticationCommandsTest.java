package io.sluice.cli;

import io.sluice.broker.SluiceBroker;
import io.sluice.engine.LogConfig;
import io.sluice.transport.auth.CredentialsFile;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice users add|remove|list} on a credentials file, and the client commands' {@code --username} and
 * {@code --password-file} against a broker that requires SCRAM-SHA-256, all through the command line in this JVM.
 */
class AuthenticationCommandsTest
{
    @TempDir
    File directory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private SluiceBroker broker;

    @AfterEach
    void close()
    {
        CloseHelper.quietClose(broker);
    }

    private int run(final String... args)
    {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        final CommandLine commandLine = SluiceCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private File file(final String name, final String text) throws IOException
    {
        final File file = new File(directory, name);
        Files.writeString(file.toPath(), text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void shouldAddListAndRemoveUsersWithoutWritingAPassword() throws IOException
    {
        final File credentials = new File(directory, "credentials");
        final String path = credentials.getPath();
        final File alicePassword = file("alice.password", "alice-secret\n");
        assertEquals(0, run("users", "add", "--credentials-file", path, "--username", "alice", "--password-file",
            alicePassword.getPath()), err.toString());
        assertTrue(out.toString().contains("added alice"), out.toString());
        assertEquals(0, run("users", "add", "--credentials-file", path, "--username", "bob", "--password-file",
            file("bob.password", "bob-secret").getPath(), "--iterations", "5000"), err.toString());
        assertEquals(0, run("users", "add", "--credentials-file", path, "--username", "alice", "--password-file",
            file("alice2.password", "new-secret").getPath()), err.toString());
        assertTrue(out.toString().contains("changed the password of alice"), out.toString());

        assertEquals(0, run("users", "list", "--credentials-file", path), err.toString());
        assertEquals("alice\tSCRAM-SHA-256\titerations=8192\nbob\tSCRAM-SHA-256\titerations=5000\n",
            out.toString().replace(System.lineSeparator(), "\n"));
        final String text = Files.readString(credentials.toPath());
        assertFalse(text.contains("secret"), "no password in the file");

        assertEquals(0, run("users", "remove", "--credentials-file", path, "--username", "bob"), err.toString());
        assertEquals(Set.of("alice"), CredentialsFile.read(credentials.toPath()).keySet());

        assertEquals(2, run("users", "remove", "--credentials-file", path, "--username", "bob"));
        assertTrue(err.toString().contains("no user bob"), err.toString());
        assertEquals(2, run("users", "add", "--credentials-file", path, "--username", "bad name", "--password-file",
            alicePassword.getPath()));
        assertTrue(err.toString().contains("--username must be letters"), err.toString());
        assertEquals(2, run("users", "add", "--credentials-file", path, "--username", "carol", "--password-file",
            alicePassword.getPath(), "--iterations", "100"));
        assertTrue(err.toString().contains("--iterations must be 4096 to 1000000"), err.toString());
        assertEquals(2, run("users", "add", "--credentials-file", path, "--username", "carol", "--password-file",
            new File(directory, "missing").getPath()));
        assertTrue(err.toString().contains("--password-file: cannot read"), err.toString());
        assertEquals(2, run("users", "list", "--credentials-file", new File(directory, "none").getPath()));
        assertTrue(err.toString().contains("does not exist"), err.toString());
        assertEquals(2, run("users"));
    }

    @Test
    void shouldConnectWithAUserAndPasswordAndRefuseWithoutThem() throws IOException
    {
        final File credentials = new File(directory, "credentials");
        final File password = file("alice.password", "alice-secret\n");
        assertEquals(0, run("users", "add", "--credentials-file", credentials.getPath(), "--username", "alice",
            "--password-file", password.getPath()), err.toString());
        broker = SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(new File(directory, "data"))
            .listen("127.0.0.1:0")
            .clientTermLength(1024 * 1024)
            .authentication(SluiceBroker.Authentication.SCRAM_SHA_256)
            .credentialsFile(credentials)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
        final String bootstrap = broker.listenEndpoint();

        assertEquals(0, run("topics", "create", "--bootstrap", bootstrap, "--topic", "orders", "--username",
            "alice", "--password-file", password.getPath()), err.toString());
        assertEquals(0, run("topics", "list", "--bootstrap", bootstrap, "--username", "alice", "--password-file",
            password.getPath()), err.toString());
        assertTrue(out.toString().contains("orders"), out.toString());

        assertEquals(1, run("topics", "list", "--bootstrap", bootstrap));
        assertTrue(err.toString().contains("NOT_AUTHENTICATED") || err.toString().contains("requires"),
            err.toString());
        assertEquals(1, err.toString().strip().lines().count(), "one line: " + err);

        assertEquals(1, run("topics", "list", "--bootstrap", bootstrap, "--username", "alice", "--password-file",
            file("wrong.password", "guess").getPath()));
        assertTrue(err.toString().contains("authentication of alice failed"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), "one line: " + err);

        assertEquals(2, run("topics", "list", "--bootstrap", bootstrap, "--password-file", password.getPath()));
        assertTrue(err.toString().contains("--password-file needs --username"), err.toString());
    }

    @Test
    void shouldAddListAndRemoveAclsThatDecideWhatAUserSees() throws IOException
    {
        final File credentials = new File(directory, "credentials");
        final File adminPassword = file("admin.password", "admin-secret");
        final File bobPassword = file("bob.password", "bob-secret");
        assertEquals(0, run("users", "add", "--credentials-file", credentials.getPath(), "--username", "admin",
            "--password-file", adminPassword.getPath()), err.toString());
        assertEquals(0, run("users", "add", "--credentials-file", credentials.getPath(), "--username", "bob",
            "--password-file", bobPassword.getPath()), err.toString());
        broker = SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(new File(directory, "data"))
            .listen("127.0.0.1:0")
            .clientTermLength(1024 * 1024)
            .set("authentication", "scram-sha-256")
            .set("scram.credentials.file", credentials.getPath())
            .set("authorization", "acls")
            .set("super.users", "admin")
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
        final String bootstrap = broker.listenEndpoint();
        final String[] admin = {"--bootstrap", bootstrap, "--username", "admin", "--password-file",
            adminPassword.getPath()};
        final String[] bob = {"--bootstrap", bootstrap, "--username", "bob", "--password-file", bobPassword.getPath()};

        assertEquals(0, run(concat(new String[] {"topics", "create", "--topic", "orders"}, admin)), err.toString());
        assertEquals(0, run(concat(new String[] {"topics", "create", "--topic", "secret"}, admin)), err.toString());
        assertEquals(0, run(concat(new String[] {"acls", "add", "--principal", "bob", "--operation", "write",
            "--topic", "orders"}, admin)), err.toString());
        assertTrue(out.toString().contains("added: principal bob may WRITE TOPIC orders"), out.toString());
        assertEquals(0, run(concat(new String[] {"acls", "add", "--principal", "*", "--operation", "read",
            "--group", "app-", "--prefixed"}, admin)), err.toString());
        assertEquals(0, run(concat(new String[] {"acls", "list"}, admin)), err.toString());
        assertEquals("bob\twrite\ttopic\tliteral\torders\n*\tread\tgroup\tprefixed\tapp-\n",
            out.toString().replace(System.lineSeparator(), "\n"));

        assertEquals(0, run(concat(new String[] {"topics", "list"}, bob)), err.toString());
        assertEquals("orders", out.toString().strip(), "bob sees the topic he may write, not the other");
        assertEquals(1, run(concat(new String[] {"acls", "list"}, bob)));
        assertTrue(err.toString().contains("NOT_AUTHORIZED") && err.toString().contains("may not describe cluster"),
            err.toString());
        assertEquals(1, err.toString().strip().lines().count(), "one line: " + err);

        assertEquals(0, run(concat(new String[] {"acls", "remove", "--principal", "bob", "--operation", "write",
            "--topic", "orders"}, admin)), err.toString());
        assertEquals(0, run(concat(new String[] {"topics", "list"}, bob)), err.toString());
        assertEquals("", out.toString().strip());

        assertEquals(2, run(concat(new String[] {"acls", "add", "--principal", "bob", "--operation", "fly",
            "--topic", "orders"}, admin)));
        assertTrue(err.toString().contains("--operation must be"), err.toString());
        assertEquals(2, run(concat(new String[] {"acls", "add", "--principal", "bob", "--operation", "read",
            "--topic", "orders", "--group", "g"}, admin)));
        assertEquals(2, run(concat(new String[] {"acls", "add", "--principal", "bob", "--operation", "write",
            "--group", "g"}, admin)));
        assertTrue(err.toString().contains("a group's operations are"), err.toString());
    }

    private static String[] concat(final String[] first, final String[] second)
    {
        final String[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    @Test
    void shouldRefuseToStartABrokerOpenBeyondLoopbackWithoutAuthentication()
    {
        assertEquals(2, run("broker", "--listen", "0.0.0.0:0", "--data-dir", new File(directory, "data").getPath()));
        assertTrue(err.toString().contains("refusing to listen on 0.0.0.0:0 without authentication"),
            err.toString());
        assertEquals(2, run("broker", "--listen", "0.0.0.0:0", "--data-dir", new File(directory, "data").getPath(),
            "--override", "authentication=scram-sha-256"));
        assertTrue(err.toString().contains("needs scram.credentials.file"), err.toString());
    }
}
