package io.sluice.cli;

import io.sluice.transport.ClientConnection;
import io.sluice.transport.HostPort;
import io.sluice.transport.auth.ScramCredential;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Options of every command that talks to a broker.
 */
final class ClientOptions
{
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "A broker to connect to (in a cluster, any of them).")
    String bootstrap;

    @Option(names = "--connect-timeout-ms", paramLabel = "MS", defaultValue = "5000",
        description = "How long to try to reach the broker (default ${DEFAULT-VALUE}).")
    long connectTimeoutMs;

    @Option(names = "--username", paramLabel = "USER",
        description = "Authenticate as this user (SCRAM-SHA-256; the password does not cross the wire). The " +
            "password comes from --password-file, else the " + PASSWORD_ENV + " environment variable.")
    String username;

    @Option(names = "--password-file", paramLabel = "FILE",
        description = "A file whose first line is the password of --username.")
    File passwordFile;

    /** The environment variable a password may come from. */
    static final String PASSWORD_ENV = "SLUICE_PASSWORD";

    private char[] password;

    ClientConnection connect(final String clientName)
    {
        validate();
        final ClientConnection.Context ctx = new ClientConnection.Context()
            .bootstrap(bootstrap)
            .clientName(clientName)
            .connectTimeout(connectTimeoutMs, TimeUnit.MILLISECONDS);
        credentials(ctx);
        return ClientConnection.connect(ctx);
    }

    /**
     * @param ctx of a connection: authenticates with the user and password given, if any.
     */
    void credentials(final ClientConnection.Context ctx)
    {
        if (null != username)
        {
            ctx.credentials(username, password.clone());
        }
    }

    /**
     * @return the reactive client's options for these: bootstrap, connect timeout, credentials.
     */
    io.sluice.client.ClientOptions reactive()
    {
        validate();
        final io.sluice.client.ClientOptions options = io.sluice.client.ClientOptions.create(bootstrap)
            .withConnectTimeout(java.time.Duration.ofMillis(connectTimeoutMs));
        return null == username ? options : options.withCredentials(username, password);
    }

    /**
     * @param clientName shown by the brokers.
     * @return connected to the bootstrap broker, ready to reach each partition's leader.
     */
    Brokers brokers(final String clientName)
    {
        validate();
        return Brokers.connect(bootstrap, clientName, connectTimeoutMs, this::credentials);
    }

    private void validate()
    {
        try
        {
            HostPort.parse(bootstrap);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bootstrap: " + ex.getMessage());
        }
        if (connectTimeoutMs <= 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connect-timeout-ms must be positive");
        }
        if (null == username)
        {
            if (null != passwordFile)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--password-file needs --username");
            }
            return;
        }
        if (!ScramCredential.USER_NAME.matcher(username).matches())
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--username must be letters, digits and . _ - @: " + username);
        }
        if (null == password)
        {
            password = readPassword(spec.commandLine(), passwordFile, System.getenv(PASSWORD_ENV));
        }
    }

    /**
     * @param commandLine for errors.
     * @param file        whose first line is the password, or null.
     * @param fromEnv     the environment variable's value, or null.
     * @return the password.
     * @throws CommandLine.ParameterException if there is none, or the file cannot be read.
     */
    static char[] readPassword(final CommandLine commandLine, final File file, final String fromEnv)
    {
        final String password;
        if (null != file)
        {
            try
            {
                final List<String> lines = Files.readAllLines(file.toPath(), StandardCharsets.UTF_8);
                password = lines.isEmpty() ? "" : lines.get(0);
            }
            catch (final IOException ex)
            {
                throw new CommandLine.ParameterException(commandLine, "--password-file: cannot read " + file + ": " +
                    ex.getMessage());
            }
        }
        else if (null != fromEnv)
        {
            password = fromEnv;
        }
        else
        {
            throw new CommandLine.ParameterException(commandLine, "--username needs a password: --password-file " +
                "or the " + PASSWORD_ENV + " environment variable");
        }
        if (password.isEmpty())
        {
            throw new CommandLine.ParameterException(commandLine, "the password is empty");
        }
        return password.toCharArray();
    }
}
