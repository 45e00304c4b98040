from corridor.cli.main import app

app(prog_name="corridor")
