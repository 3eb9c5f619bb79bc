package io.tributary.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A file holding one secret, as mounted by Kubernetes, Docker or systemd credentials. */
final class PasswordFile {
  private PasswordFile() {}

  /**
   * The file's content without its trailing line break(s); inner whitespace is kept.
   *
   * @throws IllegalArgumentException when the file cannot be read or holds nothing
   */
  static String read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("could not read --db-password-file " + file + ": " + e.getMessage(), e);
    }
    String password = text.replaceAll("[\\r\\n]+$", "");
    if (password.isEmpty()) {
      throw new IllegalArgumentException("--db-password-file " + file + " is empty");
    }
    return password;
  }
}
