DROP TABLE weekly_letters;
