package io.sluice.cli;

import io.sluice.transport.auth.CredentialsFile;
import io.sluice.transport.auth.ScramCredential;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code sluice users add|remove|list}: the SCRAM-SHA-256 credentials file a broker with
 * {@code authentication=scram-sha-256} reads on start ({@code scram.credentials.file}). It keeps a salt and two
 * derived keys per user, never the password. A broker reads the file when it starts: restart it to apply a change.
 */
@Command(name = "users", mixinStandardHelpOptions = true,
    description = {"Add, remove and list the users of a SCRAM-SHA-256 credentials file (scram.credentials.file).",
        "The file holds salted, hashed keys, never passwords. Brokers read it when they start."},
    subcommands = { UsersCommand.Add.class, UsersCommand.Remove.class, UsersCommand.ListUsers.class })
final class UsersCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "add, remove or list is required");
    }

    /** The file option of every subcommand. */
    static final class FileOption
    {
        @Option(names = "--credentials-file", required = true, paramLabel = "FILE",
            description = "The credentials file (created by add if missing).")
        File file;

        Map<String, ScramCredential> read(final CommandLine commandLine, final boolean mayBeMissing)
        {
            if (!file.exists())
            {
                if (mayBeMissing)
                {
                    return new TreeMap<>();
                }
                throw new CommandLine.ParameterException(commandLine, "--credentials-file " + file +
                    " does not exist");
            }
            try
            {
                return new TreeMap<>(CredentialsFile.read(file.toPath()));
            }
            catch (final IllegalArgumentException | UncheckedIOException ex)
            {
                throw new CommandLine.ParameterException(commandLine, ex.getMessage());
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = {"Add a user, or set a user's password. The password comes from --password-file, else the " +
            ClientOptions.PASSWORD_ENV + " environment variable, else the first line of standard input."})
    static final class Add implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        FileOption file;

        @Option(names = "--username", required = true, paramLabel = "USER",
            description = "Letters, digits and . _ - @.")
        String username;

        @Option(names = "--password-file", paramLabel = "FILE", description = "A file whose first line is the " +
            "password.")
        File passwordFile;

        @Option(names = "--iterations", paramLabel = "N", defaultValue = "" + ScramCredential.DEFAULT_ITERATIONS,
            description = "PBKDF2 iterations, " + ScramCredential.MIN_ITERATIONS + " to " +
                ScramCredential.MAX_ITERATIONS + " (default ${DEFAULT-VALUE}).")
        int iterations;

        public void run()
        {
            final CommandLine commandLine = spec.commandLine();
            checkUser(commandLine, username);
            if (iterations < ScramCredential.MIN_ITERATIONS || iterations > ScramCredential.MAX_ITERATIONS)
            {
                throw new CommandLine.ParameterException(commandLine, "--iterations must be " +
                    ScramCredential.MIN_ITERATIONS + " to " + ScramCredential.MAX_ITERATIONS + ": " + iterations);
            }
            final Map<String, ScramCredential> users = file.read(commandLine, true);
            final char[] password = null != passwordFile || null != System.getenv(ClientOptions.PASSWORD_ENV) ?
                ClientOptions.readPassword(commandLine, passwordFile, System.getenv(ClientOptions.PASSWORD_ENV)) :
                firstLineOfStdin(commandLine);
            try
            {
                final boolean existed =
                    null != users.put(username, ScramCredential.create(password, iterations, new SecureRandom()));
                CredentialsFile.write(file.file.toPath(), users);
                commandLine.getOut().println((existed ? "changed the password of " : "added ") + username + " in " +
                    file.file + " (restart the brokers that read it)");
            }
            finally
            {
                Arrays.fill(password, '\0');
            }
        }

        private static char[] firstLineOfStdin(final CommandLine commandLine)
        {
            try
            {
                final String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    .readLine();
                if (null == line || line.isEmpty())
                {
                    throw new CommandLine.ParameterException(commandLine, "no password: give --password-file, the " +
                        ClientOptions.PASSWORD_ENV + " environment variable, or a line on standard input");
                }
                return line.toCharArray();
            }
            catch (final IOException ex)
            {
                throw new CommandLine.ParameterException(commandLine, "cannot read the password from standard " +
                    "input: " + ex.getMessage());
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user.")
    static final class Remove implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        FileOption file;

        @Option(names = "--username", required = true, paramLabel = "USER", description = "The user to remove.")
        String username;

        public void run()
        {
            final CommandLine commandLine = spec.commandLine();
            final Map<String, ScramCredential> users = file.read(commandLine, false);
            if (null == users.remove(username))
            {
                throw new CommandLine.ParameterException(commandLine, "no user " + username + " in " + file.file);
            }
            CredentialsFile.write(file.file.toPath(), users);
            commandLine.getOut().println("removed " + username + " from " + file.file +
                " (restart the brokers that read it)");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users and their iterations.")
    static final class ListUsers implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        FileOption file;

        public void run()
        {
            final PrintWriter out = spec.commandLine().getOut();
            file.read(spec.commandLine(), false).forEach((user, credential) ->
                out.println(user + "\t" + ScramCredential.MECHANISM + "\titerations=" + credential.iterations()));
        }
    }

    static void checkUser(final CommandLine commandLine, final String user)
    {
        if (!ScramCredential.USER_NAME.matcher(user).matches())
        {
            throw new CommandLine.ParameterException(commandLine,
                "--username must be letters, digits and . _ - @: " + user);
        }
    }
}
