"""The only package that imports Airflow: Connections turned into clients, and the task functions
the DAGs call. Each task function takes plain values from the task context and calls the library.
"""
