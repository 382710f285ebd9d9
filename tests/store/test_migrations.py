from sqlalchemy import inspect

from trident_pipeline.store import connect, migrate
from trident_pipeline.store.schema import metadata


def test_migrations_create_every_table_of_the_schema_and_rerun_cleanly(database_url):
    engine = connect(database_url)
    migrate(engine)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables
    for name, table in metadata.tables.items():
        columns = {column["name"] for column in inspect(engine).get_columns(name)}
        assert columns == set(table.columns.keys()), name
    engine.dispose()
