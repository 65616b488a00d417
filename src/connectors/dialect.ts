/** The engine families Ferry speaks. MySQL and MariaDB share a dialect and are told apart by `flavor`. */
export type Dialect = 'postgres' | 'mysql' | 'sqlite';
