package io.sluice.transport.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A broker's SCRAM credentials: a text file of {@code USER=SCRAM-SHA-256:ITERATIONS:SALT:STORED_KEY:SERVER_KEY}
 * lines (see {@link ScramCredential}); blank lines and lines starting with {@code #} are ignored. Written by
 * {@code sluice users add|remove}, read by the broker on start. It holds no password, but whoever reads it can try
 * passwords offline against it, so it is written readable by its owner only.
 */
public final class CredentialsFile
{
    private CredentialsFile()
    {
    }

    /**
     * @param file to read.
     * @return user name to credential.
     * @throws IllegalArgumentException naming the file and line of a bad entry.
     * @throws UncheckedIOException     if the file cannot be read.
     */
    public static Map<String, ScramCredential> read(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read credentials file " + file + ": " + ex.getMessage(), ex);
        }
        final Map<String, ScramCredential> credentials = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int equals = line.indexOf('=');
            final String user = equals < 0 ? "" : line.substring(0, equals).trim();
            if (!ScramCredential.USER_NAME.matcher(user).matches())
            {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected USER=" +
                    ScramCredential.MECHANISM + ":..., with a user name of letters, digits and . _ - @");
            }
            try
            {
                if (null != credentials.put(user, ScramCredential.parse(line.substring(equals + 1))))
                {
                    throw new IllegalArgumentException("user " + user + " is given twice");
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + ex.getMessage(), ex);
            }
        }
        return credentials;
    }

    /**
     * Replace the file with these credentials, atomically where the file system can, readable by its owner only.
     *
     * @param file        to write.
     * @param credentials user name to credential.
     * @throws UncheckedIOException if it cannot be written.
     */
    public static void write(final Path file, final Map<String, ScramCredential> credentials)
    {
        final List<String> lines = new ArrayList<>();
        lines.add("# Sluice SCRAM-SHA-256 credentials: USER=" + ScramCredential.MECHANISM +
            ":ITERATIONS:SALT:STORED_KEY:SERVER_KEY. Written by 'sluice users'.");
        new TreeMap<>(credentials).forEach((user, credential) -> lines.add(user + "=" + credential.encode()));
        AtomicFile.write(file, lines, true);
    }
}
