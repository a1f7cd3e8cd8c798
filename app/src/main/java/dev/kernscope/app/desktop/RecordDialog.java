package dev.kernscope.app.desktop;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

/** Asks what to record: output file, duration (or until stopped), CPUs, one process, buffer size. FX thread. */
final class RecordDialog extends Dialog<RecordingHelper.Options> {
    private final TextField out;

    RecordDialog(Window owner) {
        initOwner(owner);
        setTitle("Record");
        setHeaderText("Record scheduler events, CPU stacks and NUMA activity of this machine");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        out = new TextField(Path.of(System.getProperty("user.home"), "kernscope-" + stamp + ".ktrace").toString());
        out.setPrefColumnCount(32);
        Button browse = new Button("Browse…");
        browse.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setInitialFileName(Path.of(out.getText()).getFileName().toString());
            java.io.File f = fc.showSaveDialog(getDialogPane().getScene().getWindow());
            if (f != null) out.setText(f.getPath());
        });
        Spinner<Integer> seconds = new Spinner<>(1, 3600, 10);
        seconds.setEditable(true);
        CheckBox untilStopped = new CheckBox("until stopped");
        seconds.disableProperty().bind(untilStopped.selectedProperty());
        TextField cpus = new TextField();
        cpus.setPromptText("all (or e.g. 0-3,8)");
        TextField pid = new TextField();
        pid.setPromptText("all processes");
        Spinner<Integer> buffer = new Spinner<>(1, 1024, 16);
        buffer.setEditable(true);

        GridPane g = new GridPane();
        g.setHgap(10);
        g.setVgap(8);
        g.setPadding(new Insets(12));
        g.addRow(0, new Label("Output file"), new HBox(6, out, browse));
        g.addRow(1, new Label("Duration (s)"), new HBox(10, seconds, untilStopped));
        g.addRow(2, new Label("CPUs"), cpus);
        g.addRow(3, new Label("Process id"), pid);
        g.addRow(4, new Label("Ring buffer (MiB)"), buffer);
        Label note = new Label("Recording runs a privileged helper (pkexec or sudo); kernscope itself stays unprivileged.");
        note.getStyleClass().add("dim");
        g.add(note, 0, 5, 2, 1);
        getDialogPane().setContent(g);
        ButtonType start = new ButtonType("Start Recording", ButtonBar.ButtonData.OK_DONE);
        getDialogPane().getButtonTypes().addAll(start, ButtonType.CANCEL);
        getDialogPane().getStylesheets().add(RecordDialog.class.getResource("kernscope.css").toExternalForm());
        // Enter in any field starts the recording (Start is the default button): Ctrl+R, Enter records the defaults
        setResultConverter(b -> {
            if (b != start) return null;
            Integer p = null;
            try {
                if (!pid.getText().isBlank()) p = Integer.parseInt(pid.getText().trim());
            } catch (NumberFormatException e) {
                p = null;
            }
            return new RecordingHelper.Options(Path.of(out.getText().trim()),
                    untilStopped.isSelected() ? null : seconds.getValue(), cpus.getText(), p, buffer.getValue());
        });
    }

    /** The output file as the field shows it now. */
    Path output() {
        return Path.of(out.getText().trim());
    }
}
